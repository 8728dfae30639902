package labdrop.event;

import java.util.List;
import java.util.regex.Pattern;
import labdrop.drop.Names;
import labdrop.error.BadInputException;

/** What one user asked to be mailed about, at one address: their own requests and jobs, new regressions on host types. */
public record MailSubscription(String user, String email, boolean ownRequests, List<String> regressionTypes) {
    public static final int MAX_EMAIL = 254;
    public static final int MAX_TYPES = 20;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s<>\",;]{1,64}@[A-Za-z0-9.-]{1,253}");

    public MailSubscription {
        if (email == null || email.length() > MAX_EMAIL || !EMAIL.matcher(email).matches()) {
            throw new BadInputException("mail address '" + email + "' is not one address like name@example.com (at most "
                    + MAX_EMAIL + " characters)");
        }
        regressionTypes = List.copyOf(regressionTypes);
        if (regressionTypes.size() > MAX_TYPES) {
            throw new BadInputException(regressionTypes.size() + " host types asked for regression mail; at most "
                    + MAX_TYPES + " per user");
        }
        regressionTypes.forEach(t -> Names.require("host type", t));
    }

    public boolean wantsRegressionsOn(String type) {
        return regressionTypes.contains(type);
    }
}
