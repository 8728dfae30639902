package labdrop.notify;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import javax.net.ssl.SSLSocketFactory;
import labdrop.config.ConfigException;
import labdrop.config.ServerConfig;
import labdrop.tls.TlsKeys;

/**
 * Sends one plain-text mail through the SMTP server of {@code server.conf} with Jakarta Mail
 * (Eclipse Angus): STARTTLS required or SMTPS with the server's certificate and name checked,
 * AUTH when a user is set, every step bounded by the timeout.
 */
final class MailSender {
    private final ServerConfig.Mail config;
    private final Session session;
    private final String protocol;

    MailSender(ServerConfig.Mail config, Duration timeout) {
        this.config = config;
        Properties p = new Properties();
        boolean smtps = "tls".equals(config.security());
        this.protocol = smtps ? "smtps" : "smtp";
        p.put("mail.transport.protocol", protocol);
        String prefix = "mail." + protocol + ".";
        p.put(prefix + "host", config.host());
        p.put(prefix + "port", Integer.toString(config.port()));
        p.put(prefix + "connectiontimeout", Long.toString(timeout.toMillis()));
        p.put(prefix + "timeout", Long.toString(timeout.toMillis()));
        p.put(prefix + "writetimeout", Long.toString(timeout.toMillis()));
        p.put(prefix + "auth", Boolean.toString(!config.user().isEmpty()));
        if ("starttls".equals(config.security())) {
            p.put(prefix + "starttls.enable", "true");
            p.put(prefix + "starttls.required", "true");
        }
        if (!"none".equals(config.security())) {
            p.put(prefix + "ssl.checkserveridentity", "true");
            if (config.caFile() != null) {
                p.put(prefix + "ssl.socketFactory", socketFactory(config.caFile()));
            }
        }
        this.session = Session.getInstance(p);
    }

    /** TLS that trusts only the CAs of {@code caFile} (mail.ca-file). */
    private static SSLSocketFactory socketFactory(Path caFile) {
        try {
            return TlsKeys.trusting(caFile).getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("mail.ca-file " + caFile + ": " + e.getMessage());
        }
    }

    void send(String to, String subject, String text) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(config.from(), true));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to, true));
        message.setSubject(subject, "UTF-8");
        message.setText(text, "UTF-8");
        message.setSentDate(new Date());
        message.saveChanges();
        try (Transport transport = session.getTransport(protocol)) {
            transport.connect(config.host(), config.port(), config.user().isEmpty() ? null : config.user(),
                    config.user().isEmpty() ? null : config.password());
            transport.sendMessage(message, message.getAllRecipients());
        }
    }
}
