package labdrop.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import labdrop.app.Services;
import labdrop.error.BadInputException;
import labdrop.user.Passwords;
import labdrop.user.Role;
import labdrop.user.User;
import labdrop.web.ApiViews;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "user", mixinStandardHelpOptions = true,
        description = "Manage accounts (testers and admins) and their API tokens. Opens the store named by server.conf.")
final class UserCommand {

    static char[] password(boolean fromStdin) throws IOException {
        if (!fromStdin) {
            String generated = Passwords.random();
            System.out.println("password (shown once): " + generated);
            return generated.toCharArray();
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null) {
            throw new BadInputException("--password-stdin: no password on standard input");
        }
        return line.toCharArray();
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Create a user (or give an existing name a password). Without --password-stdin a random password is printed once.")
    static final class Add extends HostCommand.HostAction {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--role", defaultValue = "tester", description = "tester (default) or admin.") String role;
        @Option(names = "--password-stdin", description = "Read the password (12+ characters) from standard input.") boolean stdin;

        @Override
        int run(Services services) throws Exception {
            User user = services.accounts().setAccount(name, Role.parse(role), password(stdin));
            System.out.println("user " + user.name() + " (" + user.role().label() + ") can log in");
            return 0;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Set a user's password (random and printed once unless --password-stdin).")
    static final class Passwd extends HostCommand.HostAction {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--password-stdin") boolean stdin;

        @Override
        int run(Services services) throws Exception {
            services.accounts().setPassword(name, password(stdin));
            System.out.println("password of " + name + " changed");
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a user's password and tokens: it can no longer log in (its requests and hosts stay).")
    static final class Remove extends HostCommand.HostAction {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        int run(Services services) {
            services.accounts().disable(name);
            System.out.println("user " + name + " can no longer log in");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users, their role and whether they can log in.")
    static final class ListUsers extends HostCommand.HostAction {
        @Mixin JsonOption json;

        @Override
        int run(Services services) throws IOException {
            if (json.print(services.accounts().list().stream().map(ApiViews::user).toList())) {
                return 0;
            }
            for (User u : services.accounts().list()) {
                System.out.printf("%-24s %-7s %s%n", u.name(), u.role().label(), u.canLogIn() ? "can log in" : "name only");
            }
            return 0;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Create an API token for a user (shown once; only its hash is stored). Use it as Authorization: Bearer <token>.")
    static final class Token extends HostCommand.HostAction {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--label", description = "What the token is for.") String label;

        @Override
        int run(Services services) {
            System.out.println(services.accounts().newToken(name, label));
            return 0;
        }
    }
}
