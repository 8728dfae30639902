package labdrop.web;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/** Server-side pages from Pebble templates in /templates; every value is HTML-escaped unless a template says otherwise. */
final class Pages {
    private final PebbleEngine engine;

    Pages() {
        ClasspathLoader loader = new ClasspathLoader();
        loader.setPrefix("templates");
        this.engine = new PebbleEngine.Builder().loader(loader).autoEscaping(true).strictVariables(false).build();
    }

    String render(String template, Map<String, Object> values) {
        StringWriter out = new StringWriter();
        try {
            engine.getTemplate(template).evaluate(out, values);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render " + template, e);
        }
        return out.toString();
    }
}
