package labdrop.drop.xml;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.XmlValue;
import jakarta.xml.bind.annotation.adapters.XmlJavaTypeAdapter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code urn:labdrop:result:1}: {@code results/<id>/result.xml}, written by the SUT. Schema: xsd/result-1.xsd. */
@XmlRootElement(name = "result", namespace = ResultDoc.NS)
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(namespace = ResultDoc.NS, propOrder = {"started", "finished", "problem", "tests", "sysinfo"})
public class ResultDoc {
    public static final String NS = "urn:labdrop:result:1";

    @XmlAttribute(required = true) public String request;
    @XmlAttribute(required = true) public String host;
    @XmlElement(namespace = NS, required = true) @XmlJavaTypeAdapter(InstantAdapter.class) public Instant started;
    @XmlElement(namespace = NS, required = true) @XmlJavaTypeAdapter(InstantAdapter.class) public Instant finished;
    /** Set when the request ended without its tests running to the end: refused by the agent, or an error before them. */
    @XmlElement(namespace = NS) public Problem problem;
    @XmlElement(name = "test", namespace = NS) public List<Test> tests = new ArrayList<>();
    @XmlElement(namespace = NS) public Sysinfo sysinfo;

    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "resultTest", namespace = NS, propOrder = {"started", "finished", "logs"})
    public static class Test {
        @XmlAttribute(required = true) public int index;
        @XmlAttribute(required = true) public String name;
        /** pass, fail, error, skipped or aborted. */
        @XmlAttribute(required = true) public String outcome;
        @XmlAttribute public Integer exitCode;
        @XmlElement(namespace = NS) @XmlJavaTypeAdapter(InstantAdapter.class) public Instant started;
        @XmlElement(namespace = NS) @XmlJavaTypeAdapter(InstantAdapter.class) public Instant finished;
        @XmlElement(name = "log", namespace = NS) public List<String> logs = new ArrayList<>();
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "resultSysinfo", namespace = NS, propOrder = {"distribution", "packageList"})
    public static class Sysinfo {
        @XmlElement(namespace = NS) public String distribution;
        @XmlElement(namespace = NS) public String packageList;
    }

    /** Why a request did not run: {@code rejected} (the agent refused the requester) or {@code error}. */
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "resultProblem", namespace = NS)
    public static class Problem {
        @XmlAttribute(required = true) public String kind;
        @XmlValue public String message;

        public Problem() {
        }

        public Problem(String kind, String message) {
            this.kind = kind;
            this.message = message;
        }
    }
}
