package labdrop.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.app.Services;
import labdrop.error.BadInputException;
import labdrop.ssh.PublicKeys;
import labdrop.store.KeyRows;
import labdrop.web.ApiViews;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** SSH keys of hosts and labs ({@code labdrop host key …}, {@code labdrop host keys}, {@code labdrop lab …}). */
final class KeyCommands {
    private KeyCommands() {
    }

    static String readKey(Path file) throws IOException {
        if (Files.size(file) > 16_384) {
            throw new BadInputException(file + " is over 16 KiB; give one OpenSSH public key (.pub)");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** A lab as {@code lab list|show --json} print it: its name, hosts and (for show) keys, shaped like the API's keys. */
    static Map<String, Object> labView(Services services, String lab, boolean withKeys) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", lab);
        m.put("hosts", services.keys().labHosts(lab));
        if (withKeys) {
            m.put("keys", services.keys().list(KeyRows.LAB, lab).stream().map(ApiViews::key).toList());
        }
        return m;
    }

    static void printKeys(List<KeyRows.Key> keys) {
        System.out.printf("%-52s %-22s %-25s %s%n", "FINGERPRINT", "TYPE", "ADDED", "BY");
        for (KeyRows.Key k : keys) {
            System.out.printf("%-52s %-22s %-25s %s%n", k.fingerprint(), k.type(), k.addedAt(), k.addedBy());
        }
    }

    @Command(name = "key", mixinStandardHelpOptions = true,
            description = "SSH keys a host logs in with to the embedded SSH server (stored bare: type and base64).")
    static final class HostKey {
        @Command(name = "add", mixinStandardHelpOptions = true,
                description = "Register FILE (an OpenSSH .pub key) for host NAME; options and comments in it are dropped.")
        static final class Add extends HostCommand.HostAction {
            @Parameters(index = "0", paramLabel = "NAME") String name;
            @Parameters(index = "1", paramLabel = "FILE") Path file;
            @Option(names = "--as", paramLabel = "USER", defaultValue = "${sys:user.name}") String as;

            @Override
            int run(Services services) throws Exception {
                PublicKeys.Bare key = services.keys().add(KeyRows.HOST, name, readKey(file), file.toString(), as);
                System.out.println("host " + name + ": key " + key.fingerprint() + " (" + key.type() + ") added");
                return 0;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List host NAME's keys.")
        static final class ListKeys extends HostCommand.HostAction {
            @Parameters(paramLabel = "NAME") String name;
            @Mixin JsonOption json;

            @Override
            int run(Services services) throws IOException {
                List<KeyRows.Key> keys = services.keys().list(KeyRows.HOST, name);
                if (json.print(keys.stream().map(ApiViews::key).toList())) {
                    return 0;
                }
                printKeys(keys);
                return 0;
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true,
                description = "Remove a key (by its SHA256:… fingerprint); it no longer logs in from the next login.")
        static final class Remove extends HostCommand.HostAction {
            @Parameters(index = "0", paramLabel = "NAME") String name;
            @Parameters(index = "1", paramLabel = "FINGERPRINT") String fingerprint;

            @Override
            int run(Services services) {
                services.keys().remove(KeyRows.HOST, name, fingerprint);
                System.out.println("host " + name + ": key " + fingerprint + " removed");
                return 0;
            }
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true,
            description = {"Print every host key as locked-down authorized_keys lines, for a lab that runs its own "
                    + "OpenSSH instead of the embedded server: each line forces rrsync into the host's folder "
                    + "with 'restrict' (no pty, no forwarding). Lab keys work with the embedded server only."})
    static final class AuthorizedKeys extends HostCommand.HostAction {
        @Option(names = "--authorized-keys", required = true, description = "Print authorized_keys lines.")
        boolean authorizedKeys;
        @Option(names = "--rrsync", defaultValue = "/usr/bin/rrsync", description = "rrsync on the ssh server (default ${DEFAULT-VALUE}).")
        String rrsync;
        @Option(names = "--drop", paramLabel = "DIR", description = "The drop as the ssh server sees it (default: this server's drop.dir).")
        Path drop;

        @Override
        int run(Services services) {
            Path root = drop != null ? drop : services.lab().drop().root();
            for (KeyRows.Key k : services.keys().all()) {
                if (!KeyRows.HOST.equals(k.ownerKind())) {
                    continue;
                }
                String folder = root.resolve(k.owner()).toString();
                if (folder.matches(".*[\\s\"\\\\].*")) {
                    throw new BadInputException("the drop path " + folder
                            + " holds spaces, quotes or backslashes; give --drop a plain path");
                }
                System.out.println("restrict,command=\"" + rrsync + " " + folder + "\" " + k.type() + " " + k.base64()
                        + " labdrop-host:" + k.owner());
            }
            return 0;
        }
    }

    @Command(name = "lab", mixinStandardHelpOptions = true,
            description = "Labs: a named set of hosts behind one gateway, logging in with the lab's own keys.")
    static final class Lab {
        @Command(name = "add", mixinStandardHelpOptions = true, description = "Create lab NAME holding the given hosts.")
        static final class Add extends HostCommand.HostAction {
            @Parameters(paramLabel = "NAME") String name;
            @Option(names = "--host", paramLabel = "HOST") List<String> hosts = List.of();

            @Override
            int run(Services services) {
                services.keys().addLab(name, hosts);
                System.out.println("lab " + name + " created with hosts " + hosts);
                return 0;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List labs.")
        static final class ListLabs extends HostCommand.HostAction {
            @Mixin JsonOption json;

            @Override
            int run(Services services) throws IOException {
                if (json.print(services.keys().labs().stream().map(lab -> labView(services, lab, false)).toList())) {
                    return 0;
                }
                for (String lab : services.keys().labs()) {
                    System.out.println(lab + ": " + String.join(", ", services.keys().labHosts(lab)));
                }
                return 0;
            }
        }

        @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a lab's hosts and keys.")
        static final class Show extends HostCommand.HostAction {
            @Parameters(paramLabel = "NAME") String name;
            @Mixin JsonOption json;

            @Override
            int run(Services services) throws IOException {
                if (json.print(labView(services, name, true))) {
                    return 0;
                }
                System.out.println("lab " + name + ": hosts " + services.keys().labHosts(name));
                printKeys(services.keys().list(KeyRows.LAB, name));
                return 0;
            }
        }

        @Command(name = "host", mixinStandardHelpOptions = true, description = "Add a host to a lab, or remove it (--remove).")
        static final class HostMember extends HostCommand.HostAction {
            @Parameters(index = "0", paramLabel = "LAB") String lab;
            @Parameters(index = "1", paramLabel = "HOST") String host;
            @Option(names = "--remove") boolean remove;

            @Override
            int run(Services services) {
                services.keys().setLabHost(lab, host, !remove);
                System.out.println("lab " + lab + ": hosts " + services.keys().labHosts(lab));
                return 0;
            }
        }

        @Command(name = "token", mixinStandardHelpOptions = true,
                description = {"Issue the lab's doorbell token (the old one stops working within a second).",
                        "The lab's gateway reads it from server.doorbell-token-file to poll GET /api/v1/labs/LAB/generation"
                                + " and opens its SSH login only when something changed (docs/gateway.md)."})
        static final class LabToken extends HostCommand.HostAction {
            @Parameters(paramLabel = "LAB") String lab;

            @Option(names = "--file", paramLabel = "FILE",
                    description = "Write the token to FILE (mode 0600) instead of printing it.")
            Path file;

            @Override
            int run(Services services) throws IOException {
                Output.token(services.labTokens().issue(lab), file, "lab " + lab);
                return 0;
            }
        }

        @Command(name = "key", mixinStandardHelpOptions = true, description = "A lab's keys: add LAB FILE, list LAB, remove LAB FINGERPRINT.")
        static final class LabKey extends HostCommand.HostAction {
            @Parameters(index = "0", paramLabel = "ACTION", description = "add, list or remove") String action;
            @Parameters(index = "1", paramLabel = "LAB") String lab;
            @Parameters(index = "2", arity = "0..1", paramLabel = "FILE|FINGERPRINT") String arg;
            @Option(names = "--as", paramLabel = "USER", defaultValue = "${sys:user.name}") String as;
            @Mixin JsonOption json;

            @Override
            int run(Services services) throws Exception {
                switch (action) {
                    case "add" -> {
                        Path file = Path.of(require(arg, "FILE"));
                        PublicKeys.Bare key = services.keys().add(KeyRows.LAB, lab, readKey(file), file.toString(), as);
                        System.out.println("lab " + lab + ": key " + key.fingerprint() + " added");
                    }
                    case "list" -> {
                        List<KeyRows.Key> keys = services.keys().list(KeyRows.LAB, lab);
                        if (!json.print(keys.stream().map(ApiViews::key).toList())) {
                            printKeys(keys);
                        }
                    }
                    case "remove" -> {
                        services.keys().remove(KeyRows.LAB, lab, require(arg, "FINGERPRINT"));
                        System.out.println("lab " + lab + ": key " + arg + " removed");
                    }
                    default -> throw new BadInputException("action '" + action
                            + "' is not add, list or remove");
                }
                return 0;
            }

            private static String require(String value, String what) {
                if (value == null) {
                    throw new BadInputException("give the " + what);
                }
                return value;
            }
        }
    }
}
