package labdrop.ssh;

import java.util.List;
import java.util.Optional;
import labdrop.drop.DropLayout;
import labdrop.drop.Names;

/**
 * What a login may do inside its jail, as pure rules on jail paths ({@code /state_file},
 * {@code /results/r-1/logs/x} for a host login; {@code /sut-01/state_file} for a lab login,
 * whose jail is the drop with only its hosts' folders visible). A SUT may read everything in its
 * folder; write {@code state_file}, hidden temporary files beside it and anything under
 * {@code results/}; delete {@code current/*.xml}, its temporaries and results; create folders
 * under {@code results/}. It may never write {@code current/} or {@code config/}, create links,
 * or reach outside its folders.
 */
public record Jail(Login login) {

    /** A path split into the host it belongs to and the path inside that host's folder ("" for the folder). */
    public record Where(String host, String inHost) {
    }

    /** Where a jail path points, or empty when it is outside every folder this login may see. */
    public Optional<Where> locate(String jailPath) {
        String path = normalize(jailPath);
        if (path == null) {
            return Optional.empty();
        }
        if (!login.isLab()) {
            return Optional.of(new Where(login.hosts().get(0), path));
        }
        if (path.isEmpty()) {
            return Optional.of(new Where(null, ""));
        }
        int slash = path.indexOf('/');
        String host = slash < 0 ? path : path.substring(0, slash);
        if (!login.hosts().contains(host)) {
            return Optional.empty();
        }
        return Optional.of(new Where(host, slash < 0 ? "" : path.substring(slash + 1)));
    }

    /** The jail's root listing shows only these names (a lab's hosts); null means no filter. */
    public List<String> rootNames() {
        return login.isLab() ? login.hosts() : null;
    }

    public boolean mayRead(String jailPath) {
        return locate(jailPath).isPresent();
    }

    public boolean mayWrite(String jailPath) {
        return locate(jailPath).filter(w -> w.host() != null).map(w -> writable(w.inHost())).orElse(false);
    }

    public boolean mayRemove(String jailPath) {
        return locate(jailPath).filter(w -> w.host() != null).map(w -> writable(w.inHost())
                || w.inHost().matches(DropLayout.CURRENT + "/[^/]+\\.xml")).orElse(false);
    }

    public boolean mayMakeFolder(String jailPath) {
        return locate(jailPath).filter(w -> w.host() != null)
                .map(w -> w.inHost().startsWith(DropLayout.RESULTS + "/") || w.inHost().equals(DropLayout.RESULTS))
                .orElse(false);
    }

    private static boolean writable(String inHost) {
        if (inHost.equals(DropLayout.STATE_FILE)) {
            return true;
        }
        if (!inHost.contains("/")) {
            return inHost.startsWith(".") && !inHost.equals(".") && !inHost.equals("..");
        }
        return inHost.startsWith(DropLayout.RESULTS + "/");
    }

    /** {@code /a/b/} → {@code a/b}; null when it climbs out, holds empty or odd parts, or is too long. */
    static String normalize(String jailPath) {
        if (jailPath == null || jailPath.length() > 1024 || jailPath.indexOf('\0') >= 0 || jailPath.contains("\\")) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String part : jailPath.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..") || part.length() > 255) {
                return null;
            }
            out.append(out.length() == 0 ? "" : "/").append(part);
        }
        return out.toString();
    }

    /** Whether {@code name} can be a host folder name (for the lab root listing). */
    static boolean isHostName(String name) {
        return Names.isValid(name);
    }
}
