package labdrop.result;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Gathers one test's cases on the SUT: the JUnit XML ({@code *.xml}) and TAP ({@code *.tap})
 * files it left in its results folder ({@code LABDROP_RESULTS_DIR}), read in name order, and TAP
 * printed on its stdout. Every file is read under the limits of {@link CaseLimits}; what cannot be
 * read is a problem on the report, never a reason to fail the run.
 */
public final class CaseCollector {
    private CaseCollector() {
    }

    /** The cases of test {@code testName}: from {@code resultsDir} (may be missing) and its {@code stdout} log (may be missing). */
    public static CaseReport collect(Path resultsDir, Path stdout, String testName) throws IOException {
        CaseReport report = new CaseReport(CaseLimits.MAX_CASES_PER_TEST);
        for (Path file : resultFiles(resultsDir, report)) {
            String name = resultsDir.relativize(file).toString();
            String source = "LABDROP_RESULTS_DIR/" + name;
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.size() > CaseLimits.MAX_FILE_BYTES) {
                report.problem(source + " is " + a.size() + " bytes, over the cap of " + CaseLimits.MAX_FILE_BYTES
                        + " bytes; it was not read: split the report into several files");
                continue;
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                if (name.endsWith(".xml")) {
                    JunitReader.read(in, source, report);
                } else {
                    TapReader.read(reader(in), source, stripExtension(file), report, true);
                }
            }
        }
        if (stdout != null && Files.isRegularFile(stdout, LinkOption.NOFOLLOW_LINKS)) {
            long size = Files.size(stdout);
            try (InputStream in = Files.newInputStream(stdout, LinkOption.NOFOLLOW_LINKS)) {
                boolean tap = TapReader.read(reader(in, CaseLimits.MAX_STDOUT_BYTES), "stdout", testName, report,
                        false).isTap();
                if (tap && size > CaseLimits.MAX_STDOUT_BYTES) {
                    report.problem("stdout is " + size + " bytes; only its first " + CaseLimits.MAX_STDOUT_BYTES
                            + " bytes were read for TAP: write the TAP to a .tap file in LABDROP_RESULTS_DIR");
                }
            }
        }
        return report;
    }

    /** The results folder's *.xml and *.tap files, regular ones only, at most four folders deep, in name order. */
    private static List<Path> resultFiles(Path dir, CaseReport report) throws IOException {
        if (dir == null || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir, 4)) {
            walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> p.getFileName().toString().endsWith(".xml") || p.getFileName().toString().endsWith(".tap"))
                    .sorted(Comparator.comparing(Path::toString))
                    .forEach(files::add);
        }
        if (files.size() > CaseLimits.MAX_FILES) {
            report.problem("LABDROP_RESULTS_DIR holds " + files.size() + " result files; only the first "
                    + CaseLimits.MAX_FILES + " by name were read: merge them into fewer files");
            return files.subList(0, CaseLimits.MAX_FILES);
        }
        return files;
    }

    private static BufferedReader reader(InputStream in) {
        return reader(in, Long.MAX_VALUE);
    }

    /** A reader that ends after {@code maxBytes} bytes of {@code in}. */
    private static BufferedReader reader(InputStream in, long maxBytes) {
        InputStream capped = new InputStream() {
            private long left = maxBytes;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                left--;
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
        Reader decoder = new InputStreamReader(capped, StandardCharsets.UTF_8);
        return new BufferedReader(decoder);
    }

    private static String stripExtension(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - ".tap".length());
    }
}
