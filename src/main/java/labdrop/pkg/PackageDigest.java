package labdrop.pkg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Size, SHA-256 (integrity, carried in the request XML) and MD5 (Autotest's packages.checksum) of a file. */
public record PackageDigest(long size, String sha256, String md5) {

    public static PackageDigest of(Path file) throws IOException {
        MessageDigest sha = newSha256();
        MessageDigest md5 = newMd5();
        long size = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                md5.update(buffer, 0, n);
                size += n;
            }
        }
        return new PackageDigest(size, HexFormat.of().formatHex(sha.digest()), HexFormat.of().formatHex(md5.digest()));
    }

    /** The hex SHA-256 of {@code file}. */
    static String sha256(Path file) throws IOException {
        MessageDigest sha = newSha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static MessageDigest newSha256() {
        return digest("SHA-256");
    }

    static MessageDigest newMd5() {
        return digest("MD5");
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }
}
