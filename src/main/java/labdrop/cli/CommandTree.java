package labdrop.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/**
 * Which command holds which subcommands, in the order help lists them. picocli reads every
 * command's annotations when it builds one (two thirds of a short command's start-up when the
 * whole tree is built), so the tree is kept here rather than in the annotations and a command
 * line builds only the commands it names: {@code labdrop host list} builds labdrop, host and
 * list. A word that names no subcommand (an option, {@code --help}, a typo) gets all of that
 * level, so help and picocli's suggestions stay whole; help, completion and the man pages use
 * the whole tree ({@link #all()}).
 */
final class CommandTree {
    static final Map<Class<?>, List<Class<?>>> SUBCOMMANDS = Map.ofEntries(
            Map.entry(Main.class, List.of(ServerCommand.class, AgentCommand.class, GatewayCommand.class, DemoCommand.class, HostCommand.class,
                    RequestCommand.class, JobCommand.class, PkgCommand.class, UserCommand.class, KeyCommands.Lab.class,
                    ClusterCommand.class, HelpCommand.class)),
            Map.entry(ServerCommand.class, List.of(ServerCommand.Status.class)),
            Map.entry(GatewayCommand.class, List.of(GatewayCommand.Status.class)),
            Map.entry(ClusterCommand.class, List.of(ClusterCommand.Status.class)),
            Map.entry(HostCommand.class, List.of(HostCommand.Add.class, HostCommand.ListHosts.class, HostCommand.Show.class,
                    HostCommand.Set.class, HostCommand.Maint.class, HostCommand.Activate.class, HostCommand.Health.class,
                    HostCommand.Retire.class, HostCommand.Reset.class, HostCommand.Token.class, HostConfigCommand.class,
                    KeyCommands.HostKey.class, KeyCommands.AuthorizedKeys.class, HostCommand.AgentReleaseCommand.class)),
            Map.entry(HostConfigCommand.class, List.of(HostConfigCommand.Show.class, HostConfigCommand.Set.class,
                    HostConfigCommand.History.class)),
            Map.entry(KeyCommands.HostKey.class, List.of(KeyCommands.HostKey.Add.class, KeyCommands.HostKey.ListKeys.class,
                    KeyCommands.HostKey.Remove.class)),
            Map.entry(RequestCommand.class, List.of(RequestCommand.File.class, RequestCommand.ListRequests.class,
                    RequestCommand.Show.class, RequestCommand.Cancel.class, RequestCommand.Move.class, RequestCommand.Wait.class)),
            Map.entry(JobCommand.class, List.of(JobCommand.Show.class, JobCommand.Cancel.class)),
            Map.entry(PkgCommand.class, List.of(PkgCommand.Build.class, PkgCommand.AgentReleaseBuild.class, PkgCommand.Index.class,
                    PkgCommand.Upload.class, PkgCommand.ListPkgs.class, PkgCommand.Verify.class, PkgCommand.Remove.class,
                    PkgCommand.Publish.class)),
            Map.entry(UserCommand.class, List.of(UserCommand.Add.class, UserCommand.Passwd.class, UserCommand.Remove.class,
                    UserCommand.ListUsers.class, UserCommand.Token.class)),
            Map.entry(KeyCommands.Lab.class, List.of(KeyCommands.Lab.Add.class, KeyCommands.Lab.ListLabs.class, KeyCommands.Lab.Show.class,
                    KeyCommands.Lab.HostMember.class, KeyCommands.Lab.LabKey.class, KeyCommands.Lab.LabToken.class, HelpCommand.class)));

    private CommandTree() {
    }

    /** Every command. */
    static CommandLine all() {
        return build(new Main(), null);
    }

    /** The commands {@code args} names, with the whole level wherever a word names none of it. */
    static CommandLine forArgs(String... args) {
        if (args.length == 1 && List.of("--version", "-V").contains(args[0])) {
            return new CommandLine(new Main());
        }
        return build(new Main(), List.of(args));
    }

    /**
     * {@code command}: an instance or a class for picocli to make; {@code words}: what follows it on the command
     * line, null for all of its subtree. {@code help} gets its whole level, which it describes.
     */
    private static CommandLine build(Object command, List<String> words) {
        CommandLine line = new CommandLine(command);
        Class<?> type = command instanceof Class<?> c ? c : command.getClass();
        List<Class<?>> subcommands = SUBCOMMANDS.getOrDefault(type, List.of());
        String next = words == null || words.isEmpty() ? null : words.get(0);
        boolean named = next != null && !"help".equals(next) && subcommands.stream().anyMatch(c -> name(c).equals(next));
        for (Class<?> sub : subcommands) {
            if (!named || name(sub).equals(next)) {
                line.addSubcommand(name(sub), build(sub == HelpCommand.class ? new HelpCommand() : sub,
                        named ? words.subList(1, words.size()) : null));
            }
        }
        return line;
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }
}
