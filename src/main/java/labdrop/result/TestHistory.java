package labdrop.result;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import labdrop.host.HostTypes;
import labdrop.request.TestSpec;

/**
 * Which earlier runs a test's run is compared with: the same test (package, control file and
 * arguments, as {@link #argsKey}) on the same {@link #scope} (its host type; the host itself when
 * it has the default type, which says nothing about the hardware). Only a test that passed or
 * failed is a run; one that errored or was aborted says nothing about its cases.
 */
public final class TestHistory {
    private TestHistory() {
    }

    /** A digest of what makes two runs the same test, apart from the package name (kept in clear). */
    public static String argsKey(TestSpec test) {
        StringBuilder key = new StringBuilder(test.control() == null ? "" : test.control());
        for (String arg : test.args()) {
            key.append('\0').append(arg);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** {@code type:rpi4}, or {@code host:sut-01} when the host has the default type. */
    public static String scope(String hostName, String hostType) {
        return hostType == null || hostType.equals(HostTypes.DEFAULT) ? "host:" + hostName : "type:" + hostType;
    }

    /** True when a test with this outcome is a run to compare with. */
    public static boolean isRun(String testOutcome) {
        return testOutcome.equals("pass") || testOutcome.equals("fail");
    }
}
