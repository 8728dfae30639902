package labdrop.ssh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import labdrop.drop.DropLayout;

/**
 * Checks an {@code rsync --server …} command line the way rrsync does, and rewrites it for the
 * jail: only the options rsync's client sends for a plain transfer are accepted; links, hard
 * links, devices, owners and groups are stripped (the drop holds regular files only); options
 * that read or write outside the transfer ({@code --files-from}, {@code --temp-dir},
 * {@code --remove-source-files}, {@code --inplace}, …) are refused; every path is resolved inside
 * the login's folders. A receiver (the SUT pushing) may write only {@code state_file} and under
 * {@code results/}; into {@code current/} it may only delete ({@code --existing
 * --ignore-existing} are added, so no file is written there); a push to the host folder itself
 * or to its {@code state_file} is staged aside and only a regular {@code state_file} in it is kept
 * ({@link Checked#stateOnly}); backups ({@code -b}) are refused and modes are made safe
 * ({@link #SAFE_MODES}).
 */
public final class RsyncArgs {
    private static final String ALLOWED_SHORT = "cdgiloprtuvxzDEHIJKLOSW";
    /** Whatever modes a push carries, the drop never stores setuid, setgid, sticky or group/world-writable ones. */
    static final String SAFE_MODES = "--chmod=ugo-st,go-w";
    private static final String STRIPPED_SHORT = "lHDog";
    private static final List<Pattern> ALLOWED_LONG = List.of(
            Pattern.compile("--timeout=\\d{1,6}"), Pattern.compile("--contimeout=\\d{1,6}"),
            Pattern.compile("--delete(-before|-during|-after|-delay)?"), Pattern.compile("--mkpath"),
            Pattern.compile("--max-size=[0-9.]+[kKmMgG]?"), Pattern.compile("--min-size=[0-9.]+[kKmMgG]?"),
            Pattern.compile("--partial"), Pattern.compile("--existing"), Pattern.compile("--ignore-existing"),
            Pattern.compile("--size-only"), Pattern.compile("--ignore-times"), Pattern.compile("--numeric-ids"),
            Pattern.compile("--modify-window=-?\\d{1,3}"), Pattern.compile("--safe-links"), Pattern.compile("--munge-links"),
            Pattern.compile("--log-format=%i%?I?"), Pattern.compile("--checksum-choice=[a-z0-9,]{1,40}"),
            Pattern.compile("--compress-choice=[a-z0-9]{1,20}"), Pattern.compile("--compress-level=\\d"),
            Pattern.compile("--checksum-seed=\\d{1,10}"), Pattern.compile("--no-[a-z][a-z-]{0,30}"),
            Pattern.compile("--sender"));
    private static final Set<String> NEVER = Set.of("--no-r", "--no-recursive");

    private RsyncArgs() {
    }

    /** The checked command: the arguments to run, the host folder it works in, whether it writes. */
    public record Checked(List<String> args, String host, boolean receiver, String target) {
        /**
         * A push to the host folder itself or to its state_file: only a regular state_file it carries
         * is kept (RsyncCommand stages it), so nothing else, a backup or a folder, ever stands there.
         */
        public boolean stateOnly() {
            return receiver && ("".equals(target) || DropLayout.STATE_FILE.equals(target));
        }
    }

    /** Thrown with the reason a command line is refused. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    public static Checked check(String commandLine, Jail jail, Path dropRoot, long maxFileBytes) throws Refused {
        if (commandLine.length() > 4096 || commandLine.chars().anyMatch(c -> c < 0x20 || c == '\\' || c == '\'' || c == '"'
                || c == '`' || c == '$' || c == ';' || c == '|' || c == '&')) {
            throw new Refused("only a plain 'rsync --server' command line is accepted (no quoting or shell syntax)");
        }
        List<String> tokens = List.of(commandLine.strip().split(" +"));
        if (tokens.size() < 4 || !tokens.get(0).equals("rsync") || !tokens.get(1).equals("--server")) {
            throw new Refused("the only command accepted here is 'rsync --server …' (use rsync -e ssh, or sftp);"
                    + " no shell, no other commands");
        }
        boolean sender = tokens.contains("--sender");
        List<String> options = new ArrayList<>();
        int i = 2;
        for (; i < tokens.size() && !tokens.get(i).equals("."); i++) {
            String token = tokens.get(i);
            if (token.startsWith("--")) {
                if (NEVER.contains(token) || ALLOWED_LONG.stream().noneMatch(p -> p.matcher(token).matches())) {
                    throw new Refused("rsync option '" + token + "' is not allowed here");
                }
                options.add(token);
            } else if (token.startsWith("-") && token.length() > 1) {
                String cluster = shortCluster(token);
                if (!cluster.equals("-")) {
                    options.add(cluster);
                }
            } else {
                throw new Refused("unexpected rsync argument '" + token + "' before the '.'");
            }
        }
        List<String> paths = i < tokens.size() ? tokens.subList(i + 1, tokens.size()) : List.of();
        if (paths.isEmpty() || (!sender && paths.size() != 1)) {
            throw new Refused("rsync needs " + (sender ? "at least one path" : "exactly one destination path"));
        }
        List<String> args = new ArrayList<>(List.of("--server"));
        args.addAll(options);
        String host = null;
        String target = null;
        List<String> resolved = new ArrayList<>();
        for (String path : paths) {
            if (path.startsWith("-")) {
                throw new Refused("path '" + path + "' looks like an option");
            }
            Jail.Where where = jail.locate(path)
                    .orElseThrow(() -> new Refused("path '" + path + "' is outside this login's folders"));
            if (where.host() == null) {
                throw new Refused("path '" + path + "' is the lab's root; name a host folder: /HOST/…");
            }
            if (host != null && !host.equals(where.host())) {
                throw new Refused("one rsync call works in one host folder");
            }
            host = where.host();
            String inHost = where.inHost();
            if (!sender) {
                boolean current = inHost.equals(DropLayout.CURRENT);
                boolean results = inHost.equals(DropLayout.RESULTS) || inHost.startsWith(DropLayout.RESULTS + "/");
                if (!current && !results && !inHost.equals(DropLayout.STATE_FILE) && !inHost.isEmpty()) {
                    throw new Refused("a SUT pushes only state_file and results/ (and may delete in current/);"
                            + " '" + path + "' is none of them");
                }
                if (current) {
                    args.add("--existing");
                    args.add("--ignore-existing");
                }
                args.add("--max-size=" + Math.max(1, maxFileBytes));
                args.add(SAFE_MODES);
                target = inHost;
            }
            String abs = dropRoot.resolve(host).resolve(inHost).toString();
            resolved.add(abs + (path.endsWith("/") && !abs.endsWith("/") ? "/" : ""));
        }
        args.add(".");
        args.addAll(resolved);
        return new Checked(List.copyOf(args), host, !sender, target);
    }

    private static String shortCluster(String token) throws Refused {
        String body = token.substring(1);
        String caps = "";
        int e = body.indexOf('e');
        if (e >= 0) {
            caps = body.substring(e);
            body = body.substring(0, e);
            if (!caps.matches("e\\.[A-Za-z]{0,20}")) {
                throw new Refused("rsync option '" + token + "' is not allowed here");
            }
        }
        StringBuilder kept = new StringBuilder("-");
        for (char c : body.toCharArray()) {
            if (ALLOWED_SHORT.indexOf(c) < 0) {
                throw new Refused("rsync option '-" + c + "' is not allowed here");
            }
            if (STRIPPED_SHORT.indexOf(c) < 0) {
                kept.append(c);
            }
        }
        return kept + caps;
    }
}
