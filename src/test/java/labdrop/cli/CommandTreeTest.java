package labdrop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class CommandTreeTest {
    static List<String> names(CommandLine line) {
        List<String> names = new ArrayList<>();
        line.getSubcommands().forEach((name, sub) -> {
            names.add(name);
            names(sub).forEach(n -> names.add(name + " " + n));
        });
        return names;
    }

    @Test
    void aCommandLineBuildsOnlyTheCommandsItNames() {
        assertThat(names(CommandTree.forArgs("host", "list", "--server", "http://x"))).containsExactly("host", "host list");
        assertThat(names(CommandTree.forArgs("host", "config", "show", "sut-1", "f")))
                .containsExactly("host", "host config", "host config show");
        assertThat(names(CommandTree.forArgs("--version"))).isEmpty();
    }

    @Test
    void aWordThatNamesNoCommandGetsTheWholeLevelSoHelpAndSuggestionsStayWhole() {
        List<String> help = names(CommandTree.forArgs("host", "--help"));
        assertThat(help).contains("host add", "host list", "host config", "host config show", "host key add");
        assertThat(names(CommandTree.forArgs("hots"))).contains("host", "request", "pkg", "help");
        assertThat(names(CommandTree.forArgs("help", "host"))).contains("host", "request", "help");
        assertThat(Main.run("hots")).isEqualTo(2);
    }

    @Test
    void everyCommandClassIsInTheTree() throws Exception {
        Collection<Class<?>> inTree = CommandTree.SUBCOMMANDS.values().stream().flatMap(List::stream).toList();
        List<Class<?>> commands = new ArrayList<>();
        for (Class<?> c : cliClasses()) {
            if (c.isAnnotationPresent(Command.class) && c != Main.class) {
                commands.add(c);
            }
        }
        assertThat(commands).hasSizeGreaterThan(40);
        assertThat(inTree).as("commands no group lists (CommandTree.SUBCOMMANDS)").containsAll(commands);
        assertThat(names(CommandTree.all())).hasSizeGreaterThan(50);
    }

    static List<Class<?>> cliClasses() throws URISyntaxException, Exception {
        Path dir = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve("labdrop/cli");
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString();
                classes.add(Class.forName("labdrop.cli." + name.substring(0, name.length() - ".class".length())));
            }
        }
        return classes;
    }
}
