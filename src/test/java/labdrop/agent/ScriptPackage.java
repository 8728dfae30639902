package labdrop.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.pkg.Repository;

/** Publishes a real test package whose {@code run} is the given shell script. */
final class ScriptPackage {
    private ScriptPackage() {
    }

    static void publish(Path repository, String name, String script) throws IOException {
        Path src = Files.createTempDirectory("labdrop-" + name);
        Path run = Files.writeString(src.resolve("run"), script);
        run.toFile().setExecutable(true);
        new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 1)
                .build(src, new PackageFile(PackageType.TEST, name, PackageFormat.BZ2), repository);
        new Repository(repository).index();
    }
}
