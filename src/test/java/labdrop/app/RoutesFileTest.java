package labdrop.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The routes file can be read on its own: every {@code direct:} route says in its comment which
 * class feeds it, and that class sends to exactly that endpoint; every bean a route calls is one
 * the server binds.
 */
class RoutesFileTest {
    private static final Path ROUTES = Path.of("routes/server.yaml");
    private static final Pattern ROUTE = Pattern.compile("((?:^#.*\\n)+)- route:(?:\\n(?!#|- ).*)*", Pattern.MULTILINE);
    private static final Pattern DIRECT = Pattern.compile("uri: (direct:[\\w-]+)");
    private static final Pattern FEEDER = Pattern.compile("Fed by (labdrop(?:\\.\\w+)+)");
    private static final Pattern BEAN = Pattern.compile("ref: (\\w+)");

    @Test
    void everyDirectRouteNamesTheClassThatFeedsItAndThatClassSendsThere() throws IOException {
        String routes = Files.readString(ROUTES);
        Matcher route = ROUTE.matcher(routes);
        List<String> directs = new ArrayList<>();
        while (route.find()) {
            Matcher direct = DIRECT.matcher(route.group());
            if (!direct.find()) {
                continue;
            }
            directs.add(direct.group(1));
            Matcher feeder = FEEDER.matcher(route.group(1).replaceAll("\\n#\\s*", " "));
            assertThat(feeder.find()).as(direct.group(1) + ": its comment names the class that feeds it").isTrue();
            Path source = Path.of("src/main/java", feeder.group(1).replace('.', '/') + ".java");
            assertThat(source).as("the feeder of " + direct.group(1)).exists();
            assertThat(Files.readString(source)).as(source + " sends to " + direct.group(1)).contains('"' + direct.group(1) + '"');
        }
        assertThat(directs).contains("direct:state-changed", "direct:result-changed", "direct:config-changed");
    }

    @Test
    void everyBeanARouteCallsIsBoundByTheServer() throws IOException {
        String app = Files.readString(Path.of("src/main/java/labdrop/app/ServerApp.java"));
        Matcher bean = BEAN.matcher(Files.readString(ROUTES));
        while (bean.find()) {
            assertThat(app).as("bean " + bean.group(1) + " bound in ServerApp").contains("camel.bind(\"" + bean.group(1) + "\"");
        }
    }
}
