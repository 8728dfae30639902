package labdrop.drop.xml;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlElementWrapper;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.adapters.XmlJavaTypeAdapter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code urn:labdrop:request:1}: what the server places in {@code current/<id>.xml}. Schema: xsd/request-1.xsd. */
@XmlRootElement(name = "request", namespace = RequestDoc.NS)
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(namespace = RequestDoc.NS, propOrder = {"requester", "filed", "priority", "options", "packages", "tests"})
public class RequestDoc {
    public static final String NS = "urn:labdrop:request:1";

    @XmlAttribute(required = true) public String id;
    @XmlAttribute(required = true) public String host;
    /** The host's placement epoch of this placement (cluster nodes write it; docs/cluster.md); null: not fenced. */
    @XmlAttribute public Long epoch;
    @XmlElement(namespace = NS, required = true) public String requester;
    @XmlElement(namespace = NS, required = true) @XmlJavaTypeAdapter(InstantAdapter.class) public Instant filed;
    @XmlElement(namespace = NS, required = true) public String priority;
    @XmlElement(namespace = NS, required = true) public Options options = new Options();
    @XmlElement(name = "packages", namespace = NS, required = true) public Packages packages = new Packages();
    @XmlElementWrapper(name = "tests", namespace = NS, required = true)
    @XmlElement(name = "test", namespace = NS) public List<Test> tests = new ArrayList<>();

    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "requestOptions", namespace = NS, propOrder = {"kernelInstall", "buildSet"})
    public static class Options {
        @XmlAttribute(required = true) public boolean selfReboot;
        @XmlAttribute public Integer timeoutSeconds;
        @XmlElement(namespace = NS) public String kernelInstall;
        @XmlElement(namespace = NS) public String buildSet;
    }

    /** The packages the request needs, and optionally its own repository (tried first). */
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "requestPackages", namespace = NS)
    public static class Packages {
        @XmlAttribute public String repository;
        @XmlElement(name = "package", namespace = NS) public List<Package> list = new ArrayList<>();
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "requestPackage", namespace = NS)
    public static class Package {
        @XmlAttribute(required = true) public String type;
        @XmlAttribute(required = true) public String name;
        @XmlAttribute public String sha256;
        @XmlAttribute public Long size;
        /** The tarball's name; null means {@code <type>-<name>.tar.bz2}. */
        @XmlAttribute public String file;

        public String fileName() {
            return file != null ? file : type + "-" + name + ".tar.bz2";
        }
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "requestTest", namespace = NS)
    public static class Test {
        @XmlAttribute(name = "package", required = true) public String packageName;
        @XmlAttribute public String control;
        @XmlAttribute public Integer timeoutSeconds;
        @XmlElement(name = "arg", namespace = NS) public List<String> args = new ArrayList<>();
    }
}
