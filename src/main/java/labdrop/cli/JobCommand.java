package labdrop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "job", mixinStandardHelpOptions = true,
        description = "Show and cancel jobs: several requests filed at once on a pool (request file --hosts N or --all).")
final class JobCommand {

    /** {@code j-1 Running: r-4 Placed on pi-1, r-5 Queued}; exit 4 when a member was rejected. */
    static int print(JsonNode job) {
        List<String> members = new ArrayList<>();
        for (JsonNode r : job.get("requests")) {
            members.add(Remote.text(r, "id") + " " + Remote.text(r, "state")
                    + (r.get("host").isNull() ? "" : " on " + Remote.text(r, "host")));
        }
        System.out.println(Remote.text(job, "id") + " " + Remote.text(job, "state") + ": " + String.join(", ", members));
        return "Rejected".equals(Remote.text(job, "state")) ? ExitCodes.CONFLICT : 0;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a job: its state and its requests.")
    static final class Show extends LabAction {
        @Parameters(paramLabel = "ID") String id;
        @Mixin JsonOption json;

        @Override
        int run(LabClient lab) throws Exception {
            JsonNode job = lab.get("/jobs/" + Remote.encode(id));
            return json.print(job) ? 0 : print(job);
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel every request of a job that has not ended.")
    static final class Cancel extends LabAction {
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run(LabClient lab) throws Exception {
            return print(lab.call("POST", "/jobs/" + Remote.encode(id) + "/cancel", null));
        }
    }
}
