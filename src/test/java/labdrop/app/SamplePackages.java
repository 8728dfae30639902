package labdrop.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.pkg.Repository;

/** Publishes small real test packages into a repository folder, so requests for them can be filed. */
public final class SamplePackages {
    private SamplePackages() {
    }

    public static void publish(Path repository, String... tests) throws IOException {
        Files.createDirectories(repository);
        for (String test : tests) {
            Path src = Files.createTempDirectory("labdrop-sample-" + test);
            Files.writeString(src.resolve("control"), "job.run_test('" + test + "')\n");
            new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 1)
                    .build(src, new PackageFile(PackageType.TEST, test, PackageFormat.BZ2), repository);
        }
        new Repository(repository).index();
    }
}
