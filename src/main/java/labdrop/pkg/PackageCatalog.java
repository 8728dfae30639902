package labdrop.pkg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import labdrop.error.BadInputException;

/**
 * The server's repositories, in order, as a place to look packages up when a request is filed:
 * the first repository whose index lists the package pins its SHA-256 and size.
 */
public final class PackageCatalog {
    private final Map<String, Path> repositories;

    /** {@code repositories}: name → folder, in lookup order. */
    public PackageCatalog(Map<String, Path> repositories) {
        this.repositories = repositories;
    }

    /** A package pinned for a request. */
    public record Pin(PackageType type, String name, String file, String sha256, long size) {
    }

    public Pin pin(PackageType type, String name) {
        for (Map.Entry<String, Path> repo : repositories.entrySet()) {
            Optional<Pin> found = find(repo.getValue(), type, name);
            if (found.isPresent()) {
                return found.get();
            }
        }
        StringBuilder looked = new StringBuilder();
        repositories.forEach((n, dir) -> looked.append(looked.length() == 0 ? "" : ", ").append(n).append(" (").append(dir).append(')'));
        throw new BadInputException("no repository holds the " + type.label() + " package '" + name + "' (looked in "
                + looked + "); build and publish it: labdrop pkg build SRC --type " + type.label() + " --name " + name
                + " --out DIR && labdrop pkg upload DIR/" + type.label() + "-" + name + ".tar.bz2 --to "
                + repositories.values().iterator().next());
    }

    /** The names of every package of {@code type} the repositories hold, sorted. */
    public List<String> names(PackageType type) {
        SortedSet<String> names = new TreeSet<>();
        for (Path dir : repositories.values()) {
            try {
                for (String file : Manifest.read(dir).entries().keySet()) {
                    try {
                        PackageFile pkg = PackageFile.parse(file);
                        if (pkg.type() == type) {
                            names.add(pkg.name());
                        }
                    } catch (BadInputException notAPackage) {
                        // an index line that is not a package name: not offered
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the index of repository " + dir, e);
            }
        }
        return List.copyOf(names);
    }

    private static Optional<Pin> find(Path dir, PackageType type, String name) {
        try {
            Manifest manifest = Manifest.read(dir);
            for (PackageFormat format : PackageFormat.values()) {
                String file = new PackageFile(type, name, format).fileName();
                Manifest.Entry entry = manifest.entries().get(file);
                if (entry != null && entry.sha256() != null && entry.size() >= 0) {
                    return Optional.of(new Pin(type, name, file, entry.sha256(), entry.size()));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the index of repository " + dir, e);
        }
    }
}
