package labdrop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** Help text is wrapped by picocli: no line of a description, footer or option ends in mid-sentence in the source. */
class HelpTextTest {
    static List<CommandLine> all(CommandLine line) {
        List<CommandLine> all = new ArrayList<>(List.of(line));
        line.getSubcommands().values().stream().distinct().forEach(sub -> all.addAll(all(sub)));
        return all;
    }

    static void check(String where, String[] lines, List<String> broken) {
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i].strip();
            if (!line.isEmpty() && !line.matches(".*[.:)!?]")) {
                broken.add(where + ": \"" + line + "\"");
            }
        }
    }

    @Test
    void everyParagraphIsOneStringThatPicocliWraps() {
        List<String> broken = new ArrayList<>();
        for (CommandLine line : all(Main.commandLine())) {
            CommandSpec spec = line.getCommandSpec();
            check(spec.qualifiedName(), spec.usageMessage().description(), broken);
            check(spec.qualifiedName() + " footer", spec.usageMessage().footer(), broken);
            for (OptionSpec o : spec.options()) {
                check(spec.qualifiedName() + " " + o.longestName(), o.description(), broken);
            }
            for (PositionalParamSpec p : spec.positionalParameters()) {
                check(spec.qualifiedName() + " " + p.paramLabel(), p.description(), broken);
            }
        }
        assertThat(broken).as("description lines that end in mid-sentence (join them into one string)").isEmpty();
    }

    @Test
    void helpFitsANarrowTerminal() {
        for (CommandLine line : all(Main.commandLine())) {
            line.setUsageHelpWidth(60);
            StringWriter out = new StringWriter();
            line.usage(new PrintWriter(out));
            assertThat(out.toString().lines()).as(line.getCommandSpec().qualifiedName())
                    .allMatch(l -> l.length() <= 60 || !l.strip().contains(" "), "is at most 60 columns");
        }
    }
}
