package labdrop.request;

import java.util.List;
import labdrop.drop.Names;
import labdrop.error.BadInputException;

/**
 * What a tester files: one host, or a pool (a host type and labels, any matching host), who asks,
 * the tests in order, the run options and optionally its own repository.
 */
public record RequestSpec(String host, String requester, List<TestSpec> tests, Priority priority,
                          boolean selfReboot, String kernelInstall, String buildSet, Integer timeoutSeconds,
                          String repositoryUrl, Pool pool, boolean confirmFailures) {

    public RequestSpec {
        if ((host == null) == (pool == null)) {
            throw new BadInputException(host == null ? "a request names no host and no pool; give --host NAME, or"
                    + " --type TYPE (and --label L) for any matching host" : "a request names host '" + host
                    + "' and a pool; give one of them");
        }
        if (host != null) {
            Names.require("host name", host);
        }
        Names.require("requester (user name)", requester);
        if (tests == null || tests.isEmpty()) {
            throw new BadInputException("a request for " + target(host, pool) + " names no test; add --test NAME");
        }
        tests = List.copyOf(tests);
        if (repositoryUrl != null && !repositoryUrl.matches("(https?|file)://\\S{1,990}")) {
            throw new BadInputException("repository URL '" + repositoryUrl + "' is not an http://, https:// or file:// URL;"
                    + " give the base URL of a package repository (it must answer 200 and hold packages.checksum)");
        }
    }

    /** A request for a host or a pool that does not ask to confirm new failures (its host type may). */
    public RequestSpec(String host, String requester, List<TestSpec> tests, Priority priority, boolean selfReboot,
                       String kernelInstall, String buildSet, Integer timeoutSeconds, String repositoryUrl, Pool pool) {
        this(host, requester, tests, priority, selfReboot, kernelInstall, buildSet, timeoutSeconds, repositoryUrl, pool,
                false);
    }

    /** A request for one host. */
    public RequestSpec(String host, String requester, List<TestSpec> tests, Priority priority, boolean selfReboot,
                       String kernelInstall, String buildSet, Integer timeoutSeconds, String repositoryUrl) {
        this(host, requester, tests, priority, selfReboot, kernelInstall, buildSet, timeoutSeconds, repositoryUrl, null,
                false);
    }

    /** What the request is for, as messages say it: {@code host 'sut-01'} or {@code pool rpi4+usb3}. */
    public String target() {
        return target(host, pool);
    }

    private static String target(String host, Pool pool) {
        return host != null ? "host '" + host + "'" : "pool " + pool.label();
    }
}
