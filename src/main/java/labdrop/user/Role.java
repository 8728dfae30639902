package labdrop.user;

import java.util.Locale;
import labdrop.error.BadInputException;

/** What a user may do: testers file and follow requests; admins also run the lab. */
public enum Role {
    TESTER, ADMIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.label().equals(text)) {
                return r;
            }
        }
        throw new BadInputException("role '" + text + "' is not tester or admin");
    }
}
