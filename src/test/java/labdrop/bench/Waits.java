package labdrop.bench;

/** Waiting for a condition in the benchmarks (they time the waits themselves). */
final class Waits {
    private Waits() {
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Polls {@code check} every 10 ms until it holds; throws when {@code timeoutMillis} pass first. */
    static void waitFor(Check check, long timeoutMillis) throws Exception {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (!check.ok()) {
            if (System.currentTimeMillis() > end) {
                throw new IllegalStateException("timed out after " + timeoutMillis + " ms");
            }
            Thread.sleep(10);
        }
    }
}
