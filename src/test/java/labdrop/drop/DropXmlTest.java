package labdrop.drop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import labdrop.drop.xml.CasesDoc;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.RequestDoc;
import labdrop.drop.xml.ResultDoc;
import labdrop.drop.xml.StateDoc;
import labdrop.drop.xml.XmlFormat;
import labdrop.drop.xml.XmlRefusedException;
import labdrop.request.PackagePin;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.request.RequestXml;
import labdrop.request.TestSpec;
import org.junit.jupiter.api.Test;

public class DropXmlTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    public static Request sampleRequest() {
        return new Request(42, "sut-01", "alice", Instant.parse("2026-11-22T10:00:00.125Z"), Priority.HIGH,
                RequestState.PLACED, null, true, "install-kernel 6.1", null, 3600, null, null,
                List.of(new TestSpec("dbench", null, List.of("-t", "60"), 600), TestSpec.parse("kernbench")),
                List.of(new PackagePin("test", "dbench", "test-dbench.tar.bz2", "0d5a".repeat(16), 1_234_567),
                        new PackagePin("test", "kernbench", "test-kernbench.tar.bz2", "9f1e".repeat(16), 89_012)),
                "http://builds.example.org/r1234/packages/", 42, null, null, false, 7);
    }

    @Test
    void requestFileMatchesTheGoldenFileByteForByteAndReadsBack() throws Exception {
        byte[] rendered = RequestXml.render(sampleRequest());
        assertThat(new String(rendered, StandardCharsets.UTF_8))
                .isEqualTo(Files.readString(GOLDEN.resolve("request-1.xml")));
        assertThat(RequestXml.render(sampleRequest())).isEqualTo(rendered);
        RequestDoc doc = DropXml.read(XmlFormat.REQUEST, rendered, "golden");
        assertThat(doc.id).isEqualTo("r-42");
        assertThat(doc.options.selfReboot).isTrue();
        assertThat(doc.tests).extracting(t -> t.packageName).containsExactly("dbench", "kernbench");
        assertThat(doc.tests.get(0).args).containsExactly("-t", "60");
        assertThat(doc.packages.list.get(0).sha256).isEqualTo("0d5a".repeat(16));
        assertThat(doc.packages.list.get(0).size).isEqualTo(1_234_567L);
        assertThat(doc.packages.repository).isEqualTo("http://builds.example.org/r1234/packages/");
    }

    @Test
    void aClusterNodesRequestFileCarriesItsPlacementEpochAndASingleServersDoesNot() {
        RequestDoc fenced = DropXml.read(XmlFormat.REQUEST, RequestXml.render(sampleRequest(), true), "fenced");
        assertThat(fenced.epoch).isEqualTo(7L);
        assertThat(new String(RequestXml.render(sampleRequest(), true), StandardCharsets.UTF_8)).contains(" epoch=\"7\"");
        assertThat(DropXml.read(XmlFormat.REQUEST, RequestXml.render(sampleRequest()), "single").epoch).isNull();
    }

    @Test
    void stateGoldenFileRoundTrips() throws Exception {
        byte[] golden = Files.readAllBytes(GOLDEN.resolve("state-1.xml"));
        StateDoc doc = DropXml.read(XmlFormat.STATE, golden, "golden state");
        assertThat(doc.seq).isEqualTo(17);
        assertThat(doc.step).isEqualTo("3/5 dbench");
        assertThat(doc.updated).isEqualTo(Instant.parse("2026-11-22T10:15:30.250Z"));
        assertThat(new String(DropXml.write(XmlFormat.STATE, doc), StandardCharsets.UTF_8))
                .isEqualTo(new String(golden, StandardCharsets.UTF_8));
    }

    @Test
    void resultGoldenFileReads() throws Exception {
        ResultDoc doc = DropXml.read(XmlFormat.RESULT, Files.readAllBytes(GOLDEN.resolve("result-1.xml")), "golden");
        assertThat(doc.tests).extracting(t -> t.outcome).containsExactly("pass", "aborted");
        assertThat(doc.tests.get(0).logs).containsExactly("logs/1-dbench/stdout", "logs/1-dbench/stderr");
        assertThat(doc.sysinfo.distribution).startsWith("Debian");
        ResultDoc again = DropXml.read(XmlFormat.RESULT, DropXml.write(XmlFormat.RESULT, doc), "again");
        assertThat(again.tests.get(0).started).isEqualTo(doc.tests.get(0).started);
    }

    @Test
    void casesGoldenFileReadsAndAnOversizedNameIsRefused() throws Exception {
        byte[] golden = Files.readAllBytes(GOLDEN.resolve("cases-1.xml"));
        CasesDoc doc = DropXml.read(XmlFormat.CASES, golden, "golden cases");
        assertThat(doc.tests.get(0).cases).extracting(c -> c.suite + "." + c.name + "=" + c.outcome)
                .containsExactly("net.Ping.v4=pass", "net.Ping.v6=fail", "net / usb.hotplug=skip");
        assertThat(doc.tests.get(0).cases.get(1).ms).isEqualTo(1500L);
        assertThat(doc.tests.get(0).problems).singleElement().asString().contains("over the cap");
        String longName = new String(golden, StandardCharsets.UTF_8).replace("name=\"v4\"", "name=\"" + "x".repeat(256) + "\"");
        assertThatThrownBy(() -> DropXml.read(XmlFormat.CASES, longName.getBytes(StandardCharsets.UTF_8), "long"))
                .isInstanceOf(XmlRefusedException.class).hasMessageContaining("long: not a valid cases");
    }

    @Test
    void refusesAnUnknownVersionWithAClearMessage() {
        String v2 = state().replace("urn:labdrop:state:1", "urn:labdrop:state:2");
        assertThatThrownBy(() -> read(v2))
                .isInstanceOf(XmlRefusedException.class)
                .hasMessageContaining("sut-01/state_file: unsupported version urn:labdrop:state:2")
                .hasMessageContaining("reads urn:labdrop:state:1 only");
    }

    @Test
    void refusesTheWrongDocumentKind() {
        assertThatThrownBy(() -> DropXml.read(XmlFormat.STATE, Files.readAllBytes(GOLDEN.resolve("result-1.xml")), "f"))
                .hasMessageContaining("expected a <state> element").hasMessageContaining("found <result>");
    }

    @Test
    void refusesADoctypeEvenWithoutEntities() {
        assertThatThrownBy(() -> read("<?xml version=\"1.0\"?><!DOCTYPE state []>" + state()))
                .hasMessageContaining("has a DOCTYPE");
    }

    @Test
    void refusesAnExternalEntityWithoutReadingIt() throws Exception {
        Path secret = Files.createTempFile("labdrop-secret", ".txt");
        Files.writeString(secret, "TOPSECRET");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE state [<!ENTITY x SYSTEM \"file://" + secret + "\">]>"
                + state().replace("<step>3/5 dbench</step>", "<step>&x;</step>");
        assertThatThrownBy(() -> read(xxe)).hasMessageContaining("DOCTYPE").hasMessageNotContaining("TOPSECRET");
    }

    @Test
    void refusesABillionLaughsExpansion() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE state [<!ENTITY l0 \"ha\">");
        for (int i = 1; i <= 10; i++) {
            dtd.append("<!ENTITY l").append(i).append(" \"").append(("&l" + (i - 1) + ";").repeat(10)).append("\">");
        }
        dtd.append("]>");
        String bomb = dtd + state().replace("<step>3/5 dbench</step>", "<step>&l10;</step>");
        assertThatThrownBy(() -> read(bomb)).hasMessageContaining("DOCTYPE");
    }

    @Test
    void refusesASchemaViolationNamingTheLine() {
        String bad = state().replace("<status>Running</status>", "<status>Exploded</status>");
        assertThatThrownBy(() -> read(bad)).hasMessageContaining("not a valid state").hasMessageContaining("Exploded");
    }

    @Test
    void refusesAHostAttributeThatIsNotAValidName() {
        String bad = state().replace("host=\"sut-01\"", "host=\"../sut-02\"");
        assertThatThrownBy(() -> read(bad)).hasMessageContaining("not a valid state").hasMessageContaining("../sut-02");
    }

    private static StateDoc read(String xml) {
        return DropXml.read(XmlFormat.STATE, xml.getBytes(StandardCharsets.UTF_8), "sut-01/state_file");
    }

    private static String state() {
        try {
            return Files.readString(GOLDEN.resolve("state-1.xml")).replaceFirst("<\\?xml[^>]*>\\s*", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
