package labdrop.gateway;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What one sync does with a host's {@code current/}, decided from three lists: the request
 * files on the server, those in the gateway's local drop, and those the gateway placed there
 * before ({@code known}, from its journal). The server is the source of what is placed; the
 * SUT's only move is to delete a finished request's file, which the gateway then repeats on the
 * server, but only once that request's {@code result.xml} has been pushed ({@code resultWaiting}),
 * so the server never sees a request end without its result.
 *
 * @param download       files to copy from the server into the local drop (new or changed)
 * @param deleteLocal    files the server no longer has (cancelled, moved, finished elsewhere)
 * @param removeOnServer files the SUT deleted, to delete on the server
 * @param known          what the journal should hold after the plan is carried out
 */
record SyncPlan(Set<String> download, Set<String> deleteLocal, Set<String> removeOnServer, Map<String, String> known) {

    /**
     * {@code server} and {@code local}: file name to SHA-256; {@code known}: the journal's;
     * {@code resultWaiting}: true for a file name whose request has a result not yet pushed.
     */
    static SyncPlan of(Map<String, String> server, Map<String, String> local, Map<String, String> known,
                       Predicate<String> resultWaiting) {
        Set<String> download = new TreeSet<>();
        Set<String> deleteLocal = new TreeSet<>();
        Set<String> removeOnServer = new TreeSet<>();
        Map<String, String> after = new TreeMap<>();
        server.forEach((name, sha) -> {
            String here = local.get(name);
            if (here != null) {
                if (!here.equals(sha)) {
                    download.add(name);
                }
                after.put(name, sha);
            } else if (known.containsKey(name)) {
                if (resultWaiting.test(name)) {
                    after.put(name, known.get(name));
                } else {
                    removeOnServer.add(name);
                }
            } else {
                download.add(name);
                after.put(name, sha);
            }
        });
        local.keySet().stream().filter(name -> !server.containsKey(name)).forEach(deleteLocal::add);
        return new SyncPlan(download, deleteLocal, removeOnServer, after);
    }
}
