package labdrop.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code labdrop} launcher: one jar, one command, subcommands for every role
 * ({@link CommandTree}: a command line builds only the commands it names).
 */
@Command(name = "labdrop", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "File-sync polling appliance for test labs.",
        footer = {"", "Configuration: conf/server.conf documents every key; LABDROP_<KEY> variables override.",
                "Docs: README.md and docs/ in the source tree, and a man page per command (man labdrop-host-list)."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // picocli otherwise looks for Groovy's Closure class once, which opens every jar on the
        // class path in turn (about 50 ms of a command's start; docs/cli.md "Start-up")
        System.setProperty("picocli.disable.closures", "true");
        if (args.length == 0 || !List.of("server", "demo", "agent", "gateway").contains(args[0])) {
            System.setProperty("labdrop.log.level", "WARN");
            if (args.length > 0 && !List.of("--version", "-V").contains(args[0])) {
                Remote.prepareInBackground();
            }
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (used by tests too). */
    public static int run(String... args) {
        return configure(CommandTree.forArgs(args)).execute(args);
    }

    /** Every command: for help, shell completion and the man pages. */
    public static CommandLine commandLine() {
        return configure(CommandTree.all());
    }

    private static CommandLine configure(CommandLine root) {
        return root.setExecutionExceptionHandler(new ExitCodes.Handler()).setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpAutoWidth(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
