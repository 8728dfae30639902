package labdrop.drop.xml;

import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.JAXBException;
import java.net.URL;
import javax.xml.XMLConstants;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.xml.sax.SAXException;

/** One versioned wire format: its root element, namespace family, JAXB binding and XSD. */
public final class XmlFormat<T> {
    public static final XmlFormat<RequestDoc> REQUEST =
            new XmlFormat<>("request", "urn:labdrop:request:", 1, RequestDoc.class, "/xsd/request-1.xsd");
    public static final XmlFormat<StateDoc> STATE =
            new XmlFormat<>("state", "urn:labdrop:state:", 1, StateDoc.class, "/xsd/state-1.xsd");
    public static final XmlFormat<ResultDoc> RESULT =
            new XmlFormat<>("result", "urn:labdrop:result:", 1, ResultDoc.class, "/xsd/result-1.xsd");
    public static final XmlFormat<CasesDoc> CASES =
            new XmlFormat<>("cases", "urn:labdrop:cases:", 1, CasesDoc.class, "/xsd/cases-1.xsd");

    final String root;
    final String namespaceFamily;
    final int version;
    final Class<T> type;
    final JAXBContext context;
    final Schema schema;

    private XmlFormat(String root, String namespaceFamily, int version, Class<T> type, String xsd) {
        this.root = root;
        this.namespaceFamily = namespaceFamily;
        this.version = version;
        this.type = type;
        try {
            this.context = JAXBContext.newInstance(type);
            SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
            factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            URL resource = XmlFormat.class.getResource(xsd);
            this.schema = factory.newSchema(resource);
        } catch (JAXBException | SAXException e) {
            throw new IllegalStateException("cannot load the " + root + " format (" + xsd + ")", e);
        }
    }

    String namespace() {
        return namespaceFamily + version;
    }

    @Override
    public String toString() {
        return root + " (" + namespace() + ")";
    }
}
