package labdrop.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A throwaway CA and a server certificate for 127.0.0.1, made by the real openssl binary. */
public final class TestCa {
    public final Path dir;
    public final Path ca;
    public final Path certificate;
    public final Path key;
    private int serial;

    public TestCa(Path dir) throws Exception {
        this.dir = Files.createDirectories(dir);
        this.ca = dir.resolve("ca.pem");
        this.certificate = dir.resolve("server.pem");
        this.key = dir.resolve("server.key");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                dir.resolve("ca.key").toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=labdrop test CA");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n");
        issue();
    }

    /** (Re)issues the server certificate under a new serial and a new key; returns the serial. */
    public int issue() throws Exception {
        serial++;
        Path newKey = dir.resolve("server-" + serial + ".key");
        Path newCert = dir.resolve("server-" + serial + ".pem");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", newKey.toString(),
                "-out", dir.resolve("server.csr").toString(), "-subj", "/CN=127.0.0.1");
        openssl("x509", "-req", "-in", dir.resolve("server.csr").toString(), "-CA", ca.toString(), "-CAkey",
                dir.resolve("ca.key").toString(), "-set_serial", Integer.toString(1000 + serial), "-out", newCert.toString(),
                "-days", "2", "-extfile", dir.resolve("server.ext").toString());
        Files.copy(newKey, key, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(newCert, certificate, StandardCopyOption.REPLACE_EXISTING);
        return 1000 + serial;
    }

    /** A client TLS context that trusts this CA only. */
    public SSLContext clientContext() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore store = TlsKeys.trustStore(ca);
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** The base64 SHA-256 of the server certificate's public key, for chromium's --ignore-certificate-errors-spki-list. */
    public String spkiHash() throws Exception {
        try (InputStream in = Files.newInputStream(certificate)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(cert.getPublicKey().getEncoded()));
        }
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
