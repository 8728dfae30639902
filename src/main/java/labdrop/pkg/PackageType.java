package labdrop.pkg;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import labdrop.error.BadInputException;

/** Autotest's package types, and where each installs on the SUT (docs/design.md "Packages"). */
public enum PackageType {
    TEST("tests"), PROFILER("profilers"), DEP("deps"), CLIENT("client");

    private final String installFolder;

    PackageType(String installFolder) {
        this.installFolder = installFolder;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code tests/<name>}, {@code profilers/<name>}, {@code deps/<name>}, or {@code client}. */
    public String installPath(String name) {
        return this == CLIENT ? installFolder : installFolder + "/" + name;
    }

    public static PackageType parse(String text) {
        return Arrays.stream(values()).filter(t -> t.label().equals(text)).findFirst()
                .orElseThrow(() -> new BadInputException("package type '" + text + "' is not one of "
                        + Arrays.stream(values()).map(PackageType::label).collect(Collectors.joining(", "))));
    }
}
