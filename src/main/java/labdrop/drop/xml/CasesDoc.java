package labdrop.drop.xml;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.XmlValue;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code urn:labdrop:cases:1}: {@code results/<id>/cases.xml}, written by the SUT before result.xml:
 * the cases each test reported (JUnit XML or TAP), and the problems met reading them.
 * Schema: xsd/cases-1.xsd.
 */
@XmlRootElement(name = "cases", namespace = CasesDoc.NS)
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(namespace = CasesDoc.NS)
public class CasesDoc {
    public static final String NS = "urn:labdrop:cases:1";

    @XmlAttribute(required = true) public String request;
    @XmlAttribute(required = true) public String host;
    @XmlElement(name = "test", namespace = NS) public List<Test> tests = new ArrayList<>();

    /** The cases of one test, by its index in the request. */
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "casesTest", namespace = NS, propOrder = {"cases", "problems"})
    public static class Test {
        @XmlAttribute(required = true) public int index;
        @XmlAttribute(required = true) public String name;
        /** Cases the agent left out over its cap. */
        @XmlAttribute public Integer dropped;
        @XmlElement(name = "case", namespace = NS) public List<Case> cases = new ArrayList<>();
        @XmlElement(name = "problem", namespace = NS) public List<String> problems = new ArrayList<>();
    }

    /** One case: its outcome is pass, fail, error or skip; the text is its message. */
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "casesCase", namespace = NS)
    public static class Case {
        @XmlAttribute(required = true) public String suite;
        @XmlAttribute(required = true) public String name;
        @XmlAttribute(required = true) public String outcome;
        @XmlAttribute public Long ms;
        @XmlValue public String message;
    }
}
