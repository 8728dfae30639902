package labdrop.drop.xml;

import org.glassfish.jaxb.runtime.marshaller.NamespacePrefixMapper;

/** Writes the format's namespace as the default one ({@code xmlns="urn:labdrop:…"}), not as {@code ns2:}. */
final class DefaultNamespace extends NamespacePrefixMapper {
    private final String namespace;

    DefaultNamespace(String namespace) {
        this.namespace = namespace;
    }

    @Override
    public String getPreferredPrefix(String uri, String suggestion, boolean requirePrefix) {
        return namespace.equals(uri) ? "" : suggestion;
    }
}
