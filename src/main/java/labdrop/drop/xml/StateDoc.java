package labdrop.drop.xml;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.adapters.XmlJavaTypeAdapter;
import java.time.Instant;

/** {@code urn:labdrop:state:1}: what the SUT writes as {@code state_file}. Schema: xsd/state-1.xsd. */
@XmlRootElement(name = "state", namespace = StateDoc.NS)
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(namespace = StateDoc.NS,
        propOrder = {"updated", "status", "request", "step", "agentVersion", "bootId", "message"})
public class StateDoc {
    public static final String NS = "urn:labdrop:state:1";

    @XmlAttribute(required = true) public String host;
    @XmlAttribute(required = true) public long seq;
    @XmlElement(namespace = NS, required = true) @XmlJavaTypeAdapter(InstantAdapter.class) public Instant updated;
    /** Available, Pending, Install, Running or Rebooting. */
    @XmlElement(namespace = NS, required = true) public String status;
    @XmlElement(namespace = NS) public String request;
    @XmlElement(namespace = NS) public String step;
    @XmlElement(namespace = NS, required = true) public String agentVersion;
    @XmlElement(namespace = NS, required = true) public String bootId;
    @XmlElement(namespace = NS) public String message;
}
