package labdrop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "The server nodes of a cluster on one PostgreSQL (docs/cluster.md).")
final class ClusterCommand {

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"List the cluster's nodes: id, state (alive, dead when its heartbeat is older than cluster.dead-after,"
                    + " stopped after a clean stop), version, address, last heartbeat and what it last did.",
                    "Exit 0 when every node that has not stopped is alive; 5 when one is dead."})
    static final class Status extends LabAction {
        @Mixin JsonOption json;

        @Override
        int run(LabClient lab) throws Exception {
            JsonNode cluster = lab.call("GET", "/cluster/nodes", null);
            boolean dead = false;
            for (JsonNode node : cluster.get("nodes")) {
                dead |= "dead".equals(node.get("state").asText());
            }
            if (json.print(cluster)) {
                return dead ? ExitCodes.INFRASTRUCTURE : 0;
            }
            if (!cluster.get("enabled").asBoolean()) {
                System.out.println("cluster.enabled is false: this server runs alone");
                return 0;
            }
            System.out.printf("%-20s %-8s %-12s %-24s %-40s %s%n", "NODE", "STATE", "VERSION", "HEARTBEAT", "ADDRESS", "DOING");
            for (JsonNode node : cluster.get("nodes")) {
                System.out.printf("%-20s %-8s %-12s %-24s %-40s %s%n", node.get("node").asText(), node.get("state").asText(),
                        node.get("version").asText(), node.get("heartbeat").asText(), node.get("address").asText(),
                        node.get("doing").asText());
            }
            return dead ? ExitCodes.INFRASTRUCTURE : 0;
        }
    }
}
