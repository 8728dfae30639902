package labdrop.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import labdrop.error.BadInputException;

/**
 * The server's TLS identity as a key store: a PEM certificate chain with a PEM (PKCS#8) private
 * key, as certbot and openssl write them, or a PKCS#12 file. Also the CA certificates a client
 * trusts ({@link #trustStore}).
 */
public final class TlsKeys {
    public static final char[] NO_PASSWORD = new char[0];

    private TlsKeys() {
    }

    /** A key store holding the certificate chain of {@code certificate} and the key of {@code key} (both PEM). */
    public static KeyStore fromPem(Path certificate, Path key) throws IOException {
        try {
            List<? extends Certificate> chain = certificates(certificate);
            if (chain.isEmpty()) {
                throw new BadInputException(certificate + " holds no PEM certificate (http.tls.certificate)");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("labdrop", privateKey(key), NO_PASSWORD, chain.toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException e) {
            throw new BadInputException("cannot use the TLS certificate " + certificate + " with the key " + key + ": "
                    + e.getMessage());
        }
    }

    /** The PKCS#12 key store at {@code file}. */
    public static KeyStore fromPkcs12(Path file, char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (GeneralSecurityException e) {
            throw new BadInputException("cannot read the PKCS#12 file " + file + " (http.tls.keystore): " + e.getMessage());
        }
    }

    /** A client's TLS that trusts only the CA certificates in the PEM file {@code caFile} (a {@code *.ca-file} key). */
    public static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore(caFile));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** A trust store of the CA certificates in the PEM file {@code caFile}, for the agent's HTTPS clients. */
    public static KeyStore trustStore(Path caFile) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate ca : certificates(caFile)) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            if (i == 0) {
                throw new BadInputException(caFile + " holds no PEM certificate; give the CA that signed the server's");
            }
            return store;
        } catch (GeneralSecurityException e) {
            throw new BadInputException("cannot read the CA file " + caFile + ": " + e.getMessage());
        }
    }

    private static List<? extends Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new BadInputException(file + " is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----);"
                    + " convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out " + file);
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }
}
