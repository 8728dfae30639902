package labdrop.appliance;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import labdrop.cli.Main;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes what the package installs about the CLI, all from the picocli model of {@link Main}: the
 * bash completion script, the zsh completion function (the same script, loaded through zsh's
 * bashcompinit) and a man page per command (picocli's AsciiDoc, turned into roff by Debian's
 * {@code asciidoctor}, gzipped without a timestamp). Run by the build (exec-maven-plugin,
 * prepare-package).
 *
 * <p>Arguments: the build folder, and the build's fixed timestamp ({@code project.build.outputTimestamp}), which
 * dates the man pages so that the same sources give the same pages. Writes {@code labdrop.bash-completion}, {@code _labdrop} and
 * {@code man/man1/*.1.gz} in it.
 */
public final class CliDocs {
    private CliDocs() {
    }

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        Instant built = Instant.parse(args[1]);
        CommandLine labdrop = Main.commandLine();
        String bash = AutoComplete.bash("labdrop", labdrop);
        Files.writeString(target.resolve("labdrop.bash-completion"), bash);
        Files.writeString(target.resolve("_labdrop"), zsh(bash));
        manPages(labdrop, target.resolve("man"), built);
    }

    /**
     * A zsh completion function ({@code #compdef}, autoloaded from vendor-completions): the first
     * Tab runs picocli's script, which under zsh loads bashcompinit and registers itself for the
     * next ones, and then completes this one.
     */
    static String zsh(String bash) {
        return "#compdef labdrop\n"
                + "# labdrop's completion for zsh: picocli's bash completion through zsh's bashcompinit.\n"
                + bash.replaceFirst("^#!.*\n", "")
                + "\n_bash_complete -F _complete_labdrop -o default\n";
    }

    static void manPages(CommandLine root, Path man, Instant built) throws IOException, InterruptedException {
        Path adoc = Files.createDirectories(man.resolve("adoc"));
        Path man1 = Files.createDirectories(man.resolve("man1"));
        List<String> command = new ArrayList<>(List.of("asciidoctor", "-b", "manpage", "-D", man1.toString()));
        for (CommandLine line : all(root)) {
            StringWriter page = new StringWriter();
            try (PrintWriter out = new PrintWriter(page)) {
                ManPageGenerator.writeSingleManPage(out, line.getCommandSpec());
            }
            Path file = adoc.resolve(line.getCommandSpec().qualifiedName("-") + ".adoc");
            Files.writeString(file, page.toString());
            command.add(file.toString());
        }
        Process asciidoctor;
        try {
            ProcessBuilder run = new ProcessBuilder(command).inheritIO();
            run.environment().put("SOURCE_DATE_EPOCH", Long.toString(built.getEpochSecond()));
            asciidoctor = run.start();
        } catch (IOException e) {
            throw new IOException("the man pages need asciidoctor (apt-get install asciidoctor): " + e.getMessage(), e);
        }
        if (asciidoctor.waitFor() != 0) {
            throw new IOException("asciidoctor failed (exit " + asciidoctor.exitValue() + ") on " + adoc);
        }
        try (Stream<Path> pages = Files.list(man1)) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".1")).toList()) {
                try (OutputStream out = maxGzip(Files.newOutputStream(page.resolveSibling(page.getFileName() + ".gz")))) {
                    out.write(Files.readString(page).getBytes(StandardCharsets.UTF_8));
                }
                Files.delete(page);
            }
        }
    }

    /** gzip -9n: Debian's policy for man pages (no name, no timestamp, the header saying "best compression"). */
    static OutputStream maxGzip(OutputStream file) throws IOException {
        GzipParameters parameters = new GzipParameters();
        parameters.setCompressionLevel(Deflater.BEST_COMPRESSION);
        parameters.setModificationTime(0);
        return new GzipCompressorOutputStream(file, parameters);
    }

    static List<CommandLine> all(CommandLine line) {
        List<CommandLine> all = new ArrayList<>(List.of(line));
        line.getSubcommands().values().stream().distinct().filter(sub -> !sub.getCommandSpec().usageMessage().hidden() && !(sub.getCommand() instanceof CommandLine.HelpCommand))
                .forEach(sub -> all.addAll(all(sub)));
        return all;
    }
}
