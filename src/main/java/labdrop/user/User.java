package labdrop.user;

/** An account: its name, role, and whether it can log in (has a password). */
public record User(String name, Role role, boolean canLogIn) {
}
