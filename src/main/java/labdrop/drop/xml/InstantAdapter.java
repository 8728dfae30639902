package labdrop.drop.xml;

import jakarta.xml.bind.annotation.adapters.XmlAdapter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;

/** xs:dateTime ⇄ Instant; written in UTC with millisecond precision, so the same instant gives the same bytes. */
final class InstantAdapter extends XmlAdapter<String, Instant> {
    @Override
    public Instant unmarshal(String text) {
        return text == null ? null : OffsetDateTime.parse(text.trim()).toInstant();
    }

    @Override
    public String marshal(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
