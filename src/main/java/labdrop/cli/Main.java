package labdrop.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code labdrop} launcher: one jar, one command, subcommands for every role. */
@Command(name = "labdrop", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "File-sync polling appliance for test labs.",
        subcommands = {ServerCommand.class, AgentCommand.class, DemoCommand.class, HostCommand.class, RequestCommand.class, JobCommand.class, PkgCommand.class,
                UserCommand.class, KeyCommands.Lab.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Configuration: conf/server.conf documents every key; LABDROP_<KEY> variables override.",
                "Docs: README.md and docs/ in the source tree."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length == 0 || !List.of("server", "demo", "agent").contains(args[0])) {
            System.setProperty("labdrop.log.level", "WARN");
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (used by tests too). */
    public static int run(String... args) {
        return new CommandLine(new Main()).setExecutionExceptionHandler(ExitCodes::handle)
                .setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
