package labdrop.ssh;

import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import labdrop.drop.Names;
import labdrop.error.ConflictException;
import labdrop.error.NotFoundException;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.lab.Lab;
import labdrop.store.HostRows;
import labdrop.store.KeyRows;
import org.jdbi.v3.core.Handle;

/**
 * Who may log in to the embedded SSH server: keys registered for a host (its login name is the
 * host name) or for a lab (the lab's name; it sees the lab's hosts). Every lookup reads the
 * store, so removing a key, retiring a host or taking a host out of a lab takes effect at the
 * next login.
 */
public final class KeyRegistry implements Logins {
    private final Lab lab;

    public KeyRegistry(Lab lab) {
        this.lab = lab;
    }

    @Override
    public Optional<Login> authenticate(String user, PublicKey key) {
        if (!Names.isValid(user)) {
            return Optional.empty();
        }
        String fingerprint = PublicKeys.fingerprint(key);
        String blob = PublicKeys.base64(key);
        return lab.store().read(h -> {
            Optional<Host> host = HostRows.find(h, user);
            if (host.isPresent() && host.get().state() != HostState.RETIRED
                    && matches(KeyRows.of(h, KeyRows.HOST, user), blob)) {
                return Optional.of(new Login(user, KeyRows.HOST, List.of(user), fingerprint));
            }
            if (KeyRows.labExists(h, user) && matches(KeyRows.of(h, KeyRows.LAB, user), blob)) {
                return Optional.of(new Login(user, KeyRows.LAB, KeyRows.labHosts(h, user), fingerprint));
            }
            return Optional.empty();
        });
    }

    /** Key kept, host not retired, lab's hosts unchanged. */
    @Override
    public boolean stillValid(Login login) {
        return lab.store().read(h -> {
            if (login.isLab()) {
                return KeyRows.labExists(h, login.user()) && hasKey(KeyRows.of(h, KeyRows.LAB, login.user()), login)
                        && KeyRows.labHosts(h, login.user()).equals(login.hosts());
            }
            Optional<Host> host = HostRows.find(h, login.user());
            return host.isPresent() && host.get().state() != HostState.RETIRED
                    && hasKey(KeyRows.of(h, KeyRows.HOST, login.user()), login);
        });
    }

    private static boolean hasKey(List<KeyRows.Key> keys, Login login) {
        return keys.stream().anyMatch(k -> k.fingerprint().equals(login.fingerprint()));
    }

    /** The presented key is registered when its blob equals a stored one, byte for byte. */
    private static boolean matches(List<KeyRows.Key> keys, String blob) {
        return keys.stream().anyMatch(k -> k.base64().equals(blob));
    }

    public PublicKeys.Bare add(String kind, String owner, String keyText, String source, String by) {
        PublicKeys.Bare bare = PublicKeys.parse(keyText, source);
        lab.store().tx(h -> {
            requireOwner(h, kind, owner);
            if (!KeyRows.add(h, new KeyRows.Key(kind, owner, bare.type(), bare.base64(), bare.fingerprint(), lab.now(), by))) {
                throw new ConflictException(kind + " '" + owner + "' already has the key " + bare.fingerprint());
            }
            return null;
        });
        return bare;
    }

    public List<KeyRows.Key> list(String kind, String owner) {
        return lab.store().read(h -> {
            requireOwner(h, kind, owner);
            return KeyRows.of(h, kind, owner);
        });
    }

    public List<KeyRows.Key> all() {
        return lab.store().read(KeyRows::all);
    }

    public void remove(String kind, String owner, String fingerprint) {
        lab.store().tx(h -> {
            requireOwner(h, kind, owner);
            if (KeyRows.remove(h, kind, owner, fingerprint) == 0) {
                throw new NotFoundException(kind + " '" + owner + "' has no key " + fingerprint
                        + "; labdrop " + kind + " key list " + owner + " shows its keys");
            }
            return null;
        });
    }

    public void addLab(String name, List<String> hosts) {
        Names.require("lab", name);
        lab.store().tx(h -> {
            if (KeyRows.labExists(h, name)) {
                throw new ConflictException("lab '" + name + "' already exists");
            }
            if (HostRows.find(h, name).isPresent()) {
                throw new ConflictException("'" + name + "' is a host's name; a lab needs a name of its own (logins are by name)");
            }
            KeyRows.addLab(h, name, lab.now());
            for (String host : hosts) {
                requireOwner(h, KeyRows.HOST, host);
                KeyRows.addLabHost(h, name, host);
            }
            return null;
        });
    }

    public void setLabHost(String name, String host, boolean member) {
        lab.store().tx(h -> {
            requireOwner(h, KeyRows.LAB, name);
            requireOwner(h, KeyRows.HOST, host);
            KeyRows.removeLabHost(h, name, host);
            if (member) {
                KeyRows.addLabHost(h, name, host);
            }
            // the host's doorbell moves: its lab's gateway, polling over HTTP, learns of it within a second
            HostRows.bumpGeneration(h, host);
            return null;
        });
    }

    public List<String> labHosts(String name) {
        return lab.store().read(h -> {
            requireOwner(h, KeyRows.LAB, name);
            return KeyRows.labHosts(h, name);
        });
    }

    public List<String> labs() {
        return lab.store().read(KeyRows::labs);
    }

    private static void requireOwner(Handle h, String kind, String owner) {
        Names.require(kind, owner);
        boolean exists = KeyRows.HOST.equals(kind) ? HostRows.find(h, owner).isPresent() : KeyRows.labExists(h, owner);
        if (!exists) {
            throw new NotFoundException("no " + kind + " '" + owner + "'; labdrop " + kind + " list shows them");
        }
    }
}
