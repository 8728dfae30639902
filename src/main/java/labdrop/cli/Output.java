package labdrop.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import labdrop.drop.AtomicFiles;

/** What commands print: plain aligned "label: value" lines for the show commands, and a new token. */
final class Output {
    private Output() {
    }

    static void field(String label, Object value) {
        if (value != null && !String.valueOf(value).isEmpty()) {
            System.out.printf("%-20s %s%n", label + ":", value);
        }
    }

    /** A token just issued: printed, or written to {@code file} (null: print) with mode 0600 and only that said. */
    static void token(String token, Path file, String whose) throws IOException {
        if (file == null) {
            System.out.println(token);
            return;
        }
        Files.deleteIfExists(file);
        AtomicFiles.writeSecret(file, token + "\n");
        System.out.println("doorbell token of " + whose + " written to " + file + " (mode 0600)");
    }
}
