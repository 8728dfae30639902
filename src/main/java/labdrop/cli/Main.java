package labdrop.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code labdrop} launcher: one jar, one command, subcommands for every role. A command line
 * that names a subcommand builds only that subcommand's tree (picocli reads every command's
 * annotations when it builds one, which is most of a short command's start-up); help, an unknown
 * name, completion and the man pages get the whole tree ({@link #commandLine()}).
 */
@Command(name = "labdrop", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "File-sync polling appliance for test labs.",
        footer = {"", "Configuration: conf/server.conf documents every key; LABDROP_<KEY> variables override.",
                "Docs: README.md and docs/ in the source tree, and a man page per command (man labdrop-host-list)."})
public final class Main implements Runnable {
    /** The subcommands, in the order help lists them. */
    static final Map<String, Class<?>> COMMANDS = commands();

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
        return commandLine(args.length > 0 ? args[0] : null).execute(args);
    }

    /** Every command: for help, shell completion and the man pages. */
    public static CommandLine commandLine() {
        return commandLine(null);
    }

    /** The command tree for a command line whose first word is {@code first}: only that subcommand when it names one. */
    static CommandLine commandLine(String first) {
        CommandLine root = new CommandLine(new Main());
        boolean one = first != null && COMMANDS.containsKey(first) && !"help".equals(first);
        boolean none = "--version".equals(first) || "-V".equals(first);
        COMMANDS.forEach((name, command) -> {
            if (!none && (!one || name.equals(first))) {
                root.addSubcommand(name, command);
            }
        });
        return root.setExecutionExceptionHandler(ExitCodes::handle).setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpAutoWidth(true);
    }

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> commands = new LinkedHashMap<>();
        commands.put("server", ServerCommand.class);
        commands.put("agent", AgentCommand.class);
        commands.put("demo", DemoCommand.class);
        commands.put("host", HostCommand.class);
        commands.put("request", RequestCommand.class);
        commands.put("job", JobCommand.class);
        commands.put("pkg", PkgCommand.class);
        commands.put("user", UserCommand.class);
        commands.put("lab", KeyCommands.Lab.class);
        commands.put("help", CommandLine.HelpCommand.class);
        return commands;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
