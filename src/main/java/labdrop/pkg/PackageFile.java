package labdrop.pkg;

import labdrop.drop.Names;
import labdrop.error.BadInputException;

/** A package file name: {@code <type>-<name>.tar.bz2} (or .tar.zst, .tar.gz, .tar.xz). */
public record PackageFile(PackageType type, String name, PackageFormat format) {

    public PackageFile {
        Names.require("package name", name);
    }

    public String fileName() {
        return type.label() + "-" + name + format.suffix();
    }

    /** Parses a tarball name, refusing anything that is not exactly a package name (no paths). */
    public static PackageFile parse(String fileName) {
        PackageFormat format = PackageFormat.ofFileName(fileName).orElseThrow(() -> refuse(fileName));
        String stem = fileName.substring(0, fileName.length() - format.suffix().length());
        int dash = stem.indexOf('-');
        if (dash < 0) {
            throw refuse(fileName);
        }
        PackageType type;
        try {
            type = PackageType.parse(stem.substring(0, dash));
        } catch (BadInputException e) {
            throw refuse(fileName);
        }
        String name = stem.substring(dash + 1);
        if (!Names.isValid(name)) {
            throw refuse(fileName);
        }
        return new PackageFile(type, name, format);
    }

    private static BadInputException refuse(String fileName) {
        return new BadInputException("package file " + Names.quote(fileName) + " is not named <type>-<name>.tar.bz2"
                + " (type test, profiler, dep or client; also .tar.zst, .tar.gz, .tar.xz), e.g. test-dbench.tar.bz2");
    }
}
