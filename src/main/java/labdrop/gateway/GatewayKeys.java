package labdrop.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import labdrop.drop.Names;
import labdrop.ssh.Login;
import labdrop.ssh.Logins;
import labdrop.ssh.PublicKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may log in to the gateway's SSH server: a SUT of the lab, with a key listed in
 * {@code <ssh.keys-dir>/<host>.pub} (one OpenSSH public key per line; blank lines and lines
 * starting with {@code #} are skipped; options and comments on a line are ignored). The file is
 * read at every login and every few seconds for open sessions, so removing a line (or the host
 * leaving the lab on the server) ends that SUT's access. Only host logins: the gateway has no lab
 * logins of its own.
 */
final class GatewayKeys implements Logins {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayKeys.class);
    /** Largest key file read; a key line is well under 1 KiB. */
    private static final long MAX_FILE_BYTES = 64 * 1024;
    private final Path dir;
    private final Supplier<Set<String>> hosts;

    GatewayKeys(Path dir, Supplier<Set<String>> hosts) {
        this.dir = dir;
        this.hosts = hosts;
    }

    @Override
    public Optional<Login> authenticate(String user, PublicKey key) {
        if (!Names.isValid(user) || !hosts.get().contains(user)) {
            return Optional.empty();
        }
        String blob = PublicKeys.base64(key);
        if (keys(user).stream().noneMatch(k -> k.base64().equals(blob))) {
            return Optional.empty();
        }
        return Optional.of(new Login(user, Login.HOST, List.of(user), PublicKeys.fingerprint(key)));
    }

    @Override
    public boolean stillValid(Login login) {
        return hosts.get().contains(login.user())
                && keys(login.user()).stream().anyMatch(k -> k.fingerprint().equals(login.fingerprint()));
    }

    /** The keys of {@code host}'s file; a line that is not a key is skipped (and logged). */
    List<PublicKeys.Bare> keys(String host) {
        Path file = dir.resolve(host + ".pub");
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_FILE_BYTES) {
                return List.of();
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return IntStream.range(0, lines.size()).mapToObj(i -> {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    return null;
                }
                try {
                    return PublicKeys.parse(line, file + ":" + (i + 1));
                } catch (RuntimeException e) {
                    LOG.warn("{}", e.getMessage());
                    return null;
                }
            }).filter(Objects::nonNull).toList();
        } catch (IOException e) {
            LOG.warn("cannot read the keys of host '{}' from {}: {}", host, file, e.getMessage());
            return List.of();
        }
    }
}
