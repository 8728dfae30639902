package labdrop.request;

import java.util.List;
import labdrop.drop.Names;
import labdrop.error.BadInputException;

/** What a tester files: the host, who asks, the tests in order and the run options. */
public record RequestSpec(String host, String requester, List<TestSpec> tests, Priority priority,
                          boolean selfReboot, String kernelInstall, String buildSet, Integer timeoutSeconds) {

    public RequestSpec {
        Names.require("host name", host);
        Names.require("requester (user name)", requester);
        if (tests == null || tests.isEmpty()) {
            throw new BadInputException("a request for host '" + host + "' names no test; add --test NAME");
        }
        tests = List.copyOf(tests);
        if (timeoutSeconds != null && timeoutSeconds <= 0) {
            throw new BadInputException("timeout " + timeoutSeconds + "s is not positive");
        }
    }
}
