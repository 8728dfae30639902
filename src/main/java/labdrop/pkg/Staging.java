package labdrop.pkg;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import labdrop.drop.AtomicFiles;
import labdrop.error.BadInputException;

/**
 * Publishing a package uploaded to the server (Autotest's custom_download_location): the upload
 * is streamed into the staging folder under a size cap while it is hashed, must match the SHA-256
 * the uploader declared, must unpack under the installer's rules (so a hostile tarball never
 * reaches a repository), and only then is moved into the repository, which is re-indexed.
 */
public final class Staging {
    private final Path dir;
    private final long maxBytes;
    private final ExecutorService pool;

    public Staging(Path dir, long maxBytes, ExecutorService pool) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.pool = pool;
    }

    public Manifest.Entry publish(InputStream upload, String fileName, String declaredSha256, Repository target)
            throws IOException {
        PackageFile.parse(fileName);
        if (declaredSha256 == null || !declaredSha256.matches("[0-9a-f]{64}")) {
            throw new BadInputException("upload of " + fileName + " declares no SHA-256 (64 lower-case hex digits);"
                    + " send the output of sha256sum with it");
        }
        Files.createDirectories(dir);
        Path work = Files.createDirectory(dir.resolve(".labdrop-stage-" + UUID.randomUUID()));
        try {
            Path staged = work.resolve(fileName);
            MessageDigest sha = PackageDigest.newSha256();
            long size = 0;
            try (OutputStream out = Files.newOutputStream(staged)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = upload.read(buffer)) > 0; ) {
                    size += n;
                    if (size > maxBytes) {
                        throw new PayloadTooLargeException("upload of " + fileName + " is over the cap of " + maxBytes
                                + " bytes; nothing was published");
                    }
                    sha.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            String got = HexFormat.of().formatHex(sha.digest());
            if (!got.equals(declaredSha256)) {
                throw new BadInputException("upload of " + fileName + " has SHA-256 " + got + ", not the declared "
                        + declaredSha256 + " (damaged in transit?); nothing was published");
            }
            if (size == 0) {
                throw new BadInputException("upload of " + fileName + " is empty; send the package file as the body"
                        + " (curl --data-binary @FILE); nothing was published");
            }
            try {
                new Installer(InstallLimits.DEFAULT, pool, 2).install(staged, got, List.of(), work.resolve("check"));
            } catch (FileSystemException e) {
                throw e;
            } catch (IOException e) {
                throw new BadInputException("upload of " + fileName + " is not a package labdrop can install ("
                        + e.getMessage() + "); build it with labdrop pkg build; nothing was published");
            }
            Files.createDirectories(target.dir());
            Path published = target.dir().resolve(fileName);
            if (Files.getFileStore(work).equals(Files.getFileStore(target.dir()))) {
                Files.move(staged, published, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                AtomicFiles.write(published, out -> Files.copy(staged, out));
            }
            return target.index().entries().get(fileName);
        } finally {
            AtomicFiles.deleteTree(work);
        }
    }
}
