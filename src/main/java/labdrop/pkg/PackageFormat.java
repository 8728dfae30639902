package labdrop.pkg;

import java.util.Arrays;
import java.util.Optional;

/** Compression of a package tarball. bz2 is Autotest's; zst and gz are for labs that need no Autotest compatibility. */
public enum PackageFormat {
    BZ2(".tar.bz2"), ZST(".tar.zst"), GZ(".tar.gz"), XZ(".tar.xz");

    private final String suffix;

    PackageFormat(String suffix) {
        this.suffix = suffix;
    }

    public String suffix() {
        return suffix;
    }

    public static Optional<PackageFormat> ofFileName(String fileName) {
        return Arrays.stream(values()).filter(f -> fileName.endsWith(f.suffix)).findFirst();
    }
}
