package labdrop.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.cluster.Membership;
import labdrop.cluster.Node;

/** {@code /api/v1/cluster/nodes}: the server nodes of a cluster and their state (admins; docs/cluster.md). */
final class ClusterApi {
    private final WebServices services;

    ClusterApi(WebServices services) {
        this.services = services;
    }

    void routes(Router<ApiCall> router) {
        router.add("GET", "/cluster/nodes", this::nodes);
    }

    private Object nodes(Call x) {
        Access.requireAdmin(x.user(), "see the cluster's nodes");
        Membership membership = services.membership();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", membership.enabled());
        m.put("node", membership.enabled() ? membership.nodeId() : null);
        m.put("deadAfterSeconds", membership.deadAfter().toSeconds());
        m.put("nodes", membership.enabled() ? membership.nodes().stream().map(ClusterApi::view).toList() : List.of());
        return m;
    }

    private static Map<String, Object> view(Node node) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", node.id());
        m.put("state", node.state().label());
        m.put("version", node.version());
        m.put("address", node.address());
        m.put("started", node.startedAt().toString());
        m.put("heartbeat", node.heartbeatAt().toString());
        m.put("doing", node.doing());
        return m;
    }
}
