package labdrop.request;

import java.util.List;
import labdrop.drop.Names;
import labdrop.error.BadInputException;

/** What a tester files: the host, who asks, the tests in order, the run options and optionally its own repository. */
public record RequestSpec(String host, String requester, List<TestSpec> tests, Priority priority,
                          boolean selfReboot, String kernelInstall, String buildSet, Integer timeoutSeconds,
                          String repositoryUrl) {

    public RequestSpec {
        Names.require("host name", host);
        Names.require("requester (user name)", requester);
        if (tests == null || tests.isEmpty()) {
            throw new BadInputException("a request for host '" + host + "' names no test; add --test NAME");
        }
        tests = List.copyOf(tests);
        if (repositoryUrl != null && !repositoryUrl.matches("(https?|file)://\\S{1,990}")) {
            throw new BadInputException("repository URL '" + repositoryUrl + "' is not an http://, https:// or file:// URL;"
                    + " give the base URL of a package repository (it must answer 200 and hold packages.checksum)");
        }
    }
}
