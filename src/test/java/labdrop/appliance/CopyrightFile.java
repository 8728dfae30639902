package labdrop.appliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Writes the package's Debian {@code copyright} file (machine-readable format 1.0) from the
 * CycloneDX SBOM the build makes: labdrop's own files, then one paragraph per jar of
 * {@code lib/} with the licences its POM declares (several are a choice: "or"), then one
 * paragraph per licence. Run by the build (exec-maven-plugin, prepare-package); it fails the
 * build when a jar has no component in the SBOM or a component declares no licence.
 *
 * <p>Arguments: the SBOM (JSON), the lib folder, the file to write.
 */
public final class CopyrightFile {
    /** Licences whose full text Debian ships in /usr/share/common-licenses, by SPDX id. */
    static final Map<String, String> COMMON_LICENSES = Map.of("Apache-2.0", "Apache-2.0", "MPL-2.0", "MPL-2.0",
            "LGPL-2.1-only", "LGPL-2.1", "CC0-1.0", "CC0-1.0");
    /** Licences some POMs name instead of giving an SPDX id. */
    static final Map<String, String> NAMES = Map.of("EPL 1.0", "EPL-1.0", "Bouncy Castle Licence", "MIT-BouncyCastle");

    private CopyrightFile() {
    }

    public static void main(String[] args) throws IOException {
        String text = render(new ObjectMapper().readTree(Path.of(args[0]).toFile()), jars(Path.of(args[1])));
        Files.writeString(Path.of(args[2]), text);
    }

    static List<String> jars(Path lib) throws IOException {
        try (Stream<Path> files = Files.list(lib)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
        }
    }

    record Component(String jar, String holder, List<String> licenses) {
    }

    static String render(JsonNode sbom, List<String> jars) {
        Map<String, Component> byJar = new TreeMap<>();
        Map<String, String> licenseUrls = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (JsonNode c : sbom.path("components")) {
            String classifier = c.path("purl").asText("").replaceAll(".*[?&]classifier=([^&]+).*|.*", "$1");
            String jar = c.path("name").asText() + "-" + c.path("version").asText()
                    + (classifier.isEmpty() ? "" : "-" + classifier) + ".jar";
            List<String> licenses = new ArrayList<>();
            for (JsonNode l : c.path("licenses")) {
                JsonNode license = l.path("license");
                String id = license.hasNonNull("id") ? license.get("id").asText()
                        : l.hasNonNull("expression") ? l.get("expression").asText()
                        : NAMES.getOrDefault(license.path("name").asText(), license.path("name").asText().replaceAll("[^A-Za-z0-9.+-]+", "-"));
                licenses.add(id);
                if (license.hasNonNull("url")) {
                    licenseUrls.putIfAbsent(id, license.get("url").asText());
                }
            }
            if (licenses.isEmpty()) {
                problems.add(jar + " declares no licence in its POM");
            }
            String holder = c.hasNonNull("publisher") ? c.get("publisher").asText()
                    : c.path("supplier").hasNonNull("name") ? c.path("supplier").get("name").asText()
                    : "the authors of " + c.path("group").asText() + ":" + c.path("name").asText();
            byJar.put(jar, new Component(jar, holder, licenses));
        }
        StringBuilder out = new StringBuilder("""
                Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
                Upstream-Name: labdrop
                Source: https://example.org/labdrop
                Comment: Generated at build time from the CycloneDX SBOM shipped beside this file
                 (/usr/share/doc/labdrop/labdrop.cdx.json). Each bundled jar in /usr/share/labdrop/lib
                 has its own paragraph with the licences its POM declares; several are a choice.

                Files: *
                Copyright: 2026 labdrop developers
                License: Apache-2.0
                """);
        TreeSet<String> used = new TreeSet<>(List.of("Apache-2.0"));
        for (String jar : jars) {
            Component c = byJar.get(jar);
            if (c == null) {
                problems.add(jar + " is in lib/ but not in the SBOM");
                continue;
            }
            used.addAll(c.licenses());
            out.append("\nFiles: usr/share/labdrop/lib/").append(jar)
                    .append("\nCopyright: ").append(c.holder())
                    .append("\nLicense: ").append(String.join(" or ", c.licenses())).append('\n');
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("debian/copyright cannot be written: " + String.join("; ", problems));
        }
        for (String license : used) {
            out.append("\nLicense: ").append(license).append('\n');
            if (COMMON_LICENSES.containsKey(license)) {
                out.append(" On Debian systems the full text is in /usr/share/common-licenses/")
                        .append(COMMON_LICENSES.get(license)).append(".\n");
            } else if (license.equals("GPL-2.0-with-classpath-exception")) {
                out.append(" On Debian systems the full text of the GPL 2 is in /usr/share/common-licenses/GPL-2;\n"
                        + " the Classpath exception is at https://spdx.org/licenses/Classpath-exception-2.0.html.\n");
            } else {
                out.append(" The full text is at ").append(licenseUrls.getOrDefault(license,
                        "https://spdx.org/licenses/" + license + ".html")).append(" (the licence the component's POM names).\n");
            }
        }
        return out.toString();
    }
}
