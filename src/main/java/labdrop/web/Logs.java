package labdrop.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import labdrop.drop.SafeRead;
import labdrop.error.BadInputException;
import labdrop.error.NotFoundException;
import labdrop.report.JunitExport;
import labdrop.request.Request;

/**
 * The logs an agent pushed for a request, for the page, the live view and the API. Only names the
 * request's result lists, or any file under its {@code logs/} while it runs, read from its own
 * results folder with no link following, in windows of at most {@link #WINDOW} bytes.
 */
final class Logs {
    /** Largest piece of a log answered at once; the reader asks again from the next offset. */
    static final int WINDOW = 4 << 20;
    /** Most files of a request's sysinfo/ or logs/ folder a page or an API answer lists (a SUT may push thousands). */
    static final int LISTED = 100;
    /** Most folder entries read to find them, so a folder of 30,000 files costs a page no more than this. */
    static final int SCANNED = 1000;
    private final WebServices services;

    Logs(WebServices services) {
        this.services = services;
    }

    /** The files the agent recorded about the SUT for this request ({@code sysinfo/...}): distribution, package list. */
    List<String> sysinfo(Request r) throws IOException {
        return list(r, "sysinfo");
    }

    private List<String> list(Request r, String sub) throws IOException {
        if (r.host() == null) {
            return List.of();
        }
        Path results = services.lab().drop().resultsDir(r.host(), r.id());
        Path dir = results.resolve(sub);
        if (!Files.isDirectory(results, LinkOption.NOFOLLOW_LINKS) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.limit(SCANNED).filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                    .map(f -> sub + "/" + f.getFileName()).filter(n -> !n.contains("/.")).sorted().limit(LISTED).toList();
        }
    }

    /** The log files an unfinished request has pushed so far ({@code logs/...}), for following them live. */
    List<String> running(Request r) throws IOException {
        return r.state().isFinal() ? List.of() : list(r, "logs");
    }

    /** The last {@link JunitExport#LOG_TAIL} bytes of one of a finished request's listed logs, or null. */
    String tail(Request r, String name) {
        try {
            SafeRead.Window head = read(r, name, 0);
            SafeRead.Window window = head.size() <= JunitExport.LOG_TAIL ? head
                    : read(r, name, head.size() - JunitExport.LOG_TAIL);
            byte[] bytes = window.bytes().length > JunitExport.LOG_TAIL
                    ? Arrays.copyOf(window.bytes(), JunitExport.LOG_TAIL) : window.bytes();
            String text = new String(bytes, StandardCharsets.UTF_8);
            return window.offset() > 0 ? "[... the first " + window.offset() + " bytes are in the log]\n" + text : text;
        } catch (IOException | NotFoundException e) {
            return null;
        }
    }

    SafeRead.Window read(Request r, String name, long offset) throws IOException {
        if (r.host() == null) {
            throw new NotFoundException("request " + r.id() + " waits in pool " + r.pool().label() + " and has no logs yet");
        }
        boolean listed = services.desk().results(r).stream().anyMatch(t -> t.logs().contains(name))
                || (!r.state().isFinal() && name.startsWith("logs/")) || name.startsWith("sysinfo/");
        Path folder = services.lab().drop().resultsDir(r.host(), r.id());
        Path file = folder.resolve(name).normalize();
        if (!listed || name.startsWith("/") || Arrays.asList(name.split("/")).contains("..") || !file.startsWith(folder)
                || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotFoundException("request " + r.id() + " has no log '" + name + "' (yet); its results list the logs");
        }
        try {
            return SafeRead.window(services.lab().drop().root(), file, offset, WINDOW);
        } catch (BadInputException e) {
            throw new NotFoundException("the log '" + name + "' of " + r.id() + " cannot be shown: " + e.getMessage());
        }
    }
}
