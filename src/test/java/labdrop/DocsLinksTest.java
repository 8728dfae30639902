package labdrop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The project owns its docs: every link in the README and docs/ that is not a web address names a file of this tree. */
class DocsLinksTest {
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void everyLocalLinkResolvesInsideTheRepository() throws IOException {
        Path repo = Path.of("").toAbsolutePath().normalize();
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            String text = Files.readString(page);
            if (text.contains("](../") && page.getParent() == null || text.contains("`../") || text.contains("DESIGN.md")) {
                broken.add(page + " names a file outside this tree");
            }
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1).replaceFirst("#.*", "");
                if (target.isEmpty() || target.matches("[a-z]+:.*")) {
                    continue;
                }
                Path file = page.toAbsolutePath().getParent().resolve(target).normalize();
                if (!file.startsWith(repo) || !Files.exists(file)) {
                    broken.add(page + " -> " + m.group(1));
                }
            }
        }
        assertThat(broken).as("links outside the repository or to missing files").isEmpty();
    }
}
