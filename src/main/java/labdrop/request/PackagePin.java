package labdrop.request;

/** A package a request needs, pinned when it was filed: type, name, tarball, SHA-256 and size. */
public record PackagePin(String type, String name, String file, String sha256, long size) {
}
