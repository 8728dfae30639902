package labdrop.drop.xml;

import jakarta.xml.bind.JAXBException;
import jakarta.xml.bind.Marshaller;
import jakarta.xml.bind.UnmarshalException;
import jakarta.xml.bind.Unmarshaller;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.sax.SAXSource;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;

/**
 * Reads and writes the drop's XML files. Reading is hostile-input safe: a DOCTYPE is refused
 * outright (so no external entity and no entity expansion can happen), the root element and
 * namespace version are checked before binding, and the document is validated against its XSD.
 */
public final class DropXml {
    private static final XMLInputFactory STAX = secureStax();
    private static final SAXParserFactory SAX = secureSax();

    private DropXml() {
    }

    public static <T> byte[] write(XmlFormat<T> format, T document) {
        try {
            Marshaller marshaller = format.context.createMarshaller();
            marshaller.setProperty(Marshaller.JAXB_FORMATTED_OUTPUT, true);
            marshaller.setProperty(Marshaller.JAXB_ENCODING, "UTF-8");
            marshaller.setProperty("org.glassfish.jaxb.namespacePrefixMapper", new DefaultNamespace(format.namespace()));
            marshaller.setSchema(format.schema);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            marshaller.marshal(document, out);
            return out.toByteArray();
        } catch (JAXBException e) {
            throw new IllegalArgumentException("cannot write a " + format + " document: " + rootCause(e), e);
        }
    }

    /** Parses {@code bytes} as {@code format}; {@code source} names the file in every error. */
    public static <T> T read(XmlFormat<T> format, byte[] bytes, String source) {
        checkRoot(format, bytes, source);
        try {
            XMLReader reader = SAX.newSAXParser().getXMLReader();
            Unmarshaller unmarshaller = format.context.createUnmarshaller();
            unmarshaller.setSchema(format.schema);
            Object value = unmarshaller.unmarshal(new SAXSource(reader, new InputSource(new ByteArrayInputStream(bytes))));
            return format.type.cast(value);
        } catch (UnmarshalException e) {
            throw new XmlRefusedException(source + ": not a valid " + format + " document: " + rootCause(e));
        } catch (JAXBException | SAXException | ParserConfigurationException e) {
            throw new XmlRefusedException(source + ": cannot parse: " + rootCause(e));
        }
    }

    private static void checkRoot(XmlFormat<?> format, byte[] bytes, String source) {
        XMLStreamReader reader = null;
        try {
            reader = STAX.createXMLStreamReader(new ByteArrayInputStream(bytes));
            while (reader.hasNext()) {
                int event = reader.next();
                if (event == XMLStreamConstants.DTD) {
                    throw new XmlRefusedException(source + ": refused: the document has a DOCTYPE."
                            + " labdrop files never carry one (no DTDs, external entities or entity"
                            + " expansion are accepted); remove it");
                }
                if (event == XMLStreamConstants.START_ELEMENT) {
                    String ns = reader.getNamespaceURI();
                    String name = reader.getLocalName();
                    if (!format.root.equals(name) || ns == null || !ns.startsWith(format.namespaceFamily)) {
                        throw new XmlRefusedException(source + ": expected a <" + format.root + "> element in "
                                + format.namespace() + " but found <" + name + "> in " + (ns == null ? "no namespace" : ns));
                    }
                    if (!ns.equals(format.namespace())) {
                        throw new XmlRefusedException(source + ": unsupported version " + ns
                                + ": this labdrop reads " + format.namespace()
                                + " only; upgrade the server or write the older version");
                    }
                    return;
                }
            }
            throw new XmlRefusedException(source + ": empty document");
        } catch (XMLStreamException e) {
            throw new XmlRefusedException(source + ": not well-formed XML: " + e.getMessage().replaceAll("\\s+", " "));
        } finally {
            if (reader != null) {
                try {
                    reader.close();
                } catch (XMLStreamException ignored) {
                    // closing a reader over a byte array cannot fail usefully
                }
            }
        }
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (e instanceof UnmarshalException u && u.getLinkedException() != null) {
            cause = u.getLinkedException();
        }
        if (cause instanceof SAXParseException p) {
            return "line " + p.getLineNumber() + ": " + p.getMessage();
        }
        return String.valueOf(cause.getMessage());
    }

    private static XMLInputFactory secureStax() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        return factory;
    }

    private static SAXParserFactory secureSax() {
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setXIncludeAware(false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            return factory;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("the JDK's SAX parser cannot be secured", e);
        }
    }
}
