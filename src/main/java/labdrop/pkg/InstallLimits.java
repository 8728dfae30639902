package labdrop.pkg;

/** Caps that stop a hostile package early: decoded bytes, tar entries, and decoded/compressed ratio. */
public record InstallLimits(long maxBytes, int maxEntries, int maxRatio) {
    public static final InstallLimits DEFAULT = new InstallLimits(8L << 30, 200_000, 200);
}
