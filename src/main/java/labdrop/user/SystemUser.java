package labdrop.user;

/**
 * The user the server itself files requests as (health checks): it exists in the store so its
 * requests have a requester, and never has a password or a token.
 */
public final class SystemUser {
    public static final String NAME = "lab";

    private SystemUser() {
    }
}
