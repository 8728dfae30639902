package labdrop.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.error.ConflictException;
import labdrop.host.AgentRelease;
import labdrop.host.Host;
import labdrop.host.HostHealth;
import labdrop.host.HostQuery;
import labdrop.host.HostState;
import labdrop.ingest.ConfigWatch;
import labdrop.lab.Lab;
import labdrop.pkg.PackageType;
import labdrop.queue.HealthChecks;
import labdrop.queue.Placer;
import labdrop.queue.Queue;
import labdrop.queue.RequestDesk;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.store.ConfigRows;
import labdrop.store.HostRows;
import labdrop.store.PlacementRows;
import labdrop.store.RequestRows;
import labdrop.store.UserRows;
import org.jdbi.v3.core.Handle;

/** The admin's side: add hosts, set their fields, maint / activate / retire, edit their config files. */
public final class HostAdmin {
    private final Lab lab;
    private final Placer placer;
    private final ConfigWatch configWatch;
    private final HealthChecks health;

    public HostAdmin(Lab lab, Placer placer, ConfigWatch configWatch, HealthChecks health) {
        this.health = health;
        this.lab = lab;
        this.placer = placer;
        this.configWatch = configWatch;
    }

    /** Adds a host in Maint (or Available with {@code active}); its config/directions come from its type. */
    public Host add(HostDraft draft, String author) {
        Names.require("host name", draft.name());
        if (draft.owner() != null) {
            Names.require("owner (user name)", draft.owner());
        }
        if (draft.ownerOnly() && draft.owner() == null) {
            throw new BadInputException("host '" + draft.name() + "': --owner-only needs --owner USER");
        }
        String directions = read(() -> lab.hostTypes().directionsOf(draft.type()));
        lab.store().tx(h -> {
            if (HostRows.find(h, draft.name()).isPresent()) {
                throw new ConflictException("host '" + draft.name() + "' already exists; labdrop host show "
                        + draft.name() + " shows it, labdrop host set changes it");
            }
            if (draft.owner() != null) {
                UserRows.ensure(h, draft.owner(), lab.now());
            }
            HostState state = draft.active() ? HostState.AVAILABLE : HostState.MAINT;
            HostRows.insert(h, new Host(draft.name(), draft.type(), draft.labels() == null ? "" : draft.labels(),
                    draft.owner(), draft.ownerOnly(), state, null, -1, null, null, null, null, null, null,
                    draft.hardResetCommand(), null, lab.now(), HostHealth.UNKNOWN), lab.now());
            read(() -> {
                lab.drop().createHost(draft.name());
                return null;
            });
            configWatch.write(h, draft.name(), "directions", directions, author);
            return null;
        });
        return show(draft.name());
    }

    public Host show(String name) {
        return lab.store().read(h -> HostRows.find(h, Names.require("host name", name)))
                .orElseThrow(() -> RequestDesk.noHost(name));
    }

    public List<Host> list() {
        return lab.store().read(HostRows::all);
    }

    /** At most {@code limit} hosts by name, those after {@code after} (null: from the first): the API's pages. */
    public List<Host> listAfter(String after, int limit) {
        return lab.store().read(h -> HostRows.after(h, after, limit));
    }

    /**
     * The hosts on the query's page that were written after clock tick {@code since} (all of them
     * for a negative {@code since}), with the page's names in order, how many hosts match, and the
     * tick they are as of: the dashboard's page and its live feed.
     */
    public HostPage page(HostQuery query, long since) {
        return lab.store().read(h -> {
            // the clock first: a write that lands while the rows are read is sent again next time, never lost
            long tick = HostRows.bellClock(h);
            List<String> names = HostRows.pageNames(h, query);
            Map<String, Host> changed = new HashMap<>();
            HostRows.changedAmong(h, names, since).forEach(host -> changed.put(host.name(), host));
            List<Host> hosts = names.stream().filter(changed::containsKey).map(changed::get).toList();
            return new HostPage(query, names, hosts, HostRows.count(h, query), tick);
        });
    }

    /** How many hosts there are of each type, state and health verdict. */
    public List<HostRows.Census> census() {
        return lab.store().read(HostRows::census);
    }

    /** Sets one of owner, owner-only, labels, hard-reset-command, type. */
    public Host set(String name, String field, Object value) {
        String column = switch (field) {
            case "owner" -> "owner";
            case "owner-only" -> "owner_only";
            case "labels" -> "labels";
            case "hard-reset-command" -> "hard_reset_command";
            case "type" -> "type";
            default -> throw new BadInputException("host field '" + field + "' cannot be set; use one of owner,"
                    + " owner-only, labels, hard-reset-command, type");
        };
        lab.store().tx(h -> {
            Host host = locked(h, name);
            if (value instanceof String s && field.equals("owner")) {
                UserRows.ensure(h, Names.require("owner (user name)", s), lab.now());
            }
            if (field.equals("type")) {
                read(() -> lab.hostTypes().directionsOf((String) value));
            }
            if (field.equals("owner-only") && Boolean.TRUE.equals(value) && host.owner() == null) {
                throw new BadInputException("host '" + name + "' has no owner; set one first (--owner USER)");
            }
            HostRows.update(h, name, column, value);
            return null;
        });
        return show(name);
    }

    public Host maint(String name) {
        lab.store().tx(h -> {
            Host host = locked(h, name);
            refuseRetired(host);
            HostRows.setState(h, name, HostState.MAINT, lab.now());
            return null;
        });
        return show(name);
    }

    /** Back into service: the state follows the SUT's last report, and held requests are placed. */
    public Host activate(String name) {
        lab.store().tx(h -> {
            Host host = locked(h, name);
            refuseRetired(host);
            HostState state = RequestRows.active(h, name)
                    .map(active -> host.reportedStatus() != null
                            && List.of("INSTALL", "RUNNING", "REBOOTING").contains(host.reportedStatus())
                            ? HostState.valueOf(host.reportedStatus()) : HostState.PENDING)
                    .orElse(HostState.AVAILABLE);
            HostRows.setState(h, name, state, lab.now());
            if (host.state() == HostState.MAINT) {
                health.leftMaint(h, host);
            }
            Queue.release(h, HostRows.find(h, name).orElseThrow(), lab.now());
            return null;
        });
        placer.drain();
        return show(name);
    }

    /** Runs the host's health check now ({@code labdrop host health}); see {@link HealthChecks#runNow}. */
    public Request checkHealth(String name, String by) {
        Names.require("user name", by);
        return health.runNow(Names.require("host name", name), by);
    }

    /** Retires the host: its unfinished requests are cancelled and their files removed. */
    public Host retire(String name, String by) {
        lab.store().tx(h -> {
            locked(h, name);
            for (RequestState state : List.of(RequestState.QUEUED, RequestState.PLACED, RequestState.PICKED_UP,
                    RequestState.RUNNING)) {
                for (Request r : RequestRows.list(h, name, state, Integer.MAX_VALUE)) {
                    RequestRows.setState(h, r.number(), RequestState.CANCELLED,
                            "host '" + name + "' retired by " + by, lab.now());
                    if (state.isActive()) {
                        PlacementRows.add(h, r.number(), name, Placer.REMOVE, lab.now());
                    }
                }
            }
            HostRows.setState(h, name, HostState.RETIRED, lab.now());
            return null;
        });
        placer.drain();
        return show(name);
    }

    /** Writes a config file through the server: validated, atomic, recorded with its author. */
    public ConfigRows.Version writeConfig(String host, String file, String content, String author) {
        Names.require("user name", author);
        lab.store().tx(h -> {
            refuseRetired(locked(h, host));
            ConfigRows.Version version = configWatch.write(h, host, file, content, author);
            if (!version.valid()) {
                throw new BadInputException("host '" + host + "': config/" + file + " was not saved: "
                        + version.problems());
            }
            return null;
        });
        return configFiles(host).stream().filter(v -> v.file().equals(file)).findFirst().orElseThrow();
    }

    /**
     * Announces an agent release to {@code hosts} (every host that is not retired when empty): its
     * version and the package pinned from the repositories go into each host's config/agent-release.
     */
    public AgentRelease announceAgentRelease(String packageName, List<String> hosts, String author) {
        String version = AgentRelease.versionOf(packageName);
        var pin = lab.catalog().pin(PackageType.CLIENT, packageName);
        AgentRelease release = new AgentRelease(version, pin.file(), pin.sha256(), pin.size());
        List<String> targets = hosts.isEmpty() ? list().stream().filter(h -> h.state() != HostState.RETIRED)
                .map(Host::name).toList() : hosts;
        for (String host : targets) {
            writeConfig(host, AgentRelease.CONFIG_FILE, release.render(), author);
        }
        return release;
    }

    public List<ConfigRows.Version> configFiles(String host) {
        show(host);
        return lab.store().read(h -> ConfigRows.latestPerFile(h, host));
    }

    public List<ConfigRows.Version> configHistory(String host, String file) {
        show(host);
        return lab.store().read(h -> ConfigRows.history(h, host, Names.require("config file name", file)));
    }

    private Host locked(Handle h, String name) {
        return HostRows.lock(h, Names.require("host name", name)).orElseThrow(() -> RequestDesk.noHost(name));
    }

    private static void refuseRetired(Host host) {
        if (host.state() == HostState.RETIRED) {
            throw new ConflictException("host '" + host.name() + "' is retired; add it again under a new name");
        }
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private static <T> T read(IoCall<T> call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
