package labdrop.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Writes a host's state_file and results exactly as a SUT's agent does: temp name, then rename. */
public final class Sut {
    private final Path hostDir;
    private final String host;
    private long seq;

    public Sut(Path dropRoot, String host) {
        this.hostDir = dropRoot.resolve(host);
        this.host = host;
    }

    /** Goes on after the host's last report ({@code seq}), as an agent that restarts with its journal does. */
    public void resumeAfter(long seq) {
        this.seq = Math.max(this.seq, seq);
    }

    public long state(String status, String request, String step) throws IOException {
        seq++;
        write(hostDir.resolve("state_file"), stateXml(host, seq, status, request, step));
        return seq;
    }

    /** A report from an agent of the given version. */
    public long stateOfVersion(String status, String agentVersion) throws IOException {
        seq++;
        write(hostDir.resolve("state_file"), stateXml(host, seq, status, null, null)
                .replace("<agentVersion>0.1.0</agentVersion>", "<agentVersion>" + agentVersion + "</agentVersion>"));
        return seq;
    }

    public void stateWithSeq(long seq, String status) throws IOException {
        write(hostDir.resolve("state_file"), stateXml(host, seq, status, null, null));
    }

    public static String stateXml(String host, long seq, String status, String request, String step) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<state xmlns=\"urn:labdrop:state:1\" host=\"" + host
                + "\" seq=\"" + seq + "\">\n  <updated>" + Instant.now() + "</updated>\n  <status>" + status
                + "</status>\n" + (request == null ? "" : "  <request>" + request + "</request>\n")
                + (step == null ? "" : "  <step>" + step + "</step>\n")
                + "  <agentVersion>0.1.0</agentVersion>\n  <bootId>boot-1</bootId>\n</state>\n";
    }

    public void result(String request, String... outcomes) throws IOException {
        StringBuilder xml = new StringBuilder("<result xmlns=\"urn:labdrop:result:1\" request=\"" + request
                + "\" host=\"" + host + "\">\n  <started>" + Instant.now() + "</started>\n  <finished>" + Instant.now()
                + "</finished>\n");
        for (int i = 0; i < outcomes.length; i++) {
            xml.append("  <test index=\"").append(i + 1).append("\" name=\"t").append(i + 1).append("\" outcome=\"")
                    .append(outcomes[i]).append("\" exitCode=\"0\"/>\n");
        }
        xml.append("</result>\n");
        Path dir = Files.createDirectories(hostDir.resolve("results").resolve(request));
        write(dir.resolve("result.xml"), xml.toString());
    }

    /**
     * Runs a placed request of one test named {@code test} to the end as an agent would, with
     * {@code cases} (name → pass, fail, error or skip, in suite {@code s}) in cases.xml before
     * result.xml; the test's outcome is fail when a case failed.
     */
    public void completeWithCases(String request, String test, Map<String, String> cases) throws IOException {
        state("Running", request, "1/1 " + test);
        StringBuilder xml = new StringBuilder("<cases xmlns=\"urn:labdrop:cases:1\" request=\"" + request + "\" host=\""
                + host + "\">\n  <test index=\"1\" name=\"" + test + "\">\n");
        cases.forEach((name, outcome) -> xml.append("    <case suite=\"s\" name=\"").append(name).append("\" outcome=\"")
                .append(outcome).append("\"/>\n"));
        xml.append("  </test>\n</cases>\n");
        Path dir = Files.createDirectories(hostDir.resolve("results").resolve(request));
        write(dir.resolve("cases.xml"), xml.toString());
        boolean failed = cases.containsValue("fail") || cases.containsValue("error");
        write(dir.resolve("result.xml"), "<result xmlns=\"urn:labdrop:result:1\" request=\"" + request + "\" host=\""
                + host + "\">\n  <started>" + Instant.now() + "</started>\n  <finished>" + Instant.now()
                + "</finished>\n  <test index=\"1\" name=\"" + test + "\" outcome=\"" + (failed ? "fail" : "pass")
                + "\" exitCode=\"" + (failed ? 1 : 0) + "\"/>\n</result>\n");
        state("Available", null, null);
    }

    /** Runs a placed request to the end: picked up, running, result, Available. */
    public void complete(String request, String... outcomes) throws IOException {
        state("Running", request, "1/1 t1");
        result(request, outcomes.length == 0 ? new String[] {"pass"} : outcomes);
        state("Available", null, null);
    }

    /** The request files a SUT sees in current/: dot-files are temporaries and never requests. */
    List<String> current() throws IOException {
        try (Stream<Path> files = Files.list(hostDir.resolve("current"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    public static void write(Path target, String content) throws IOException {
        Path temp = target.resolveSibling(".sut-tmp-" + target.getFileName());
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
