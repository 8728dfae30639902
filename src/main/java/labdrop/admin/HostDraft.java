package labdrop.admin;

/** What an admin gives to add a host. */
public record HostDraft(String name, String type, String labels, String owner, boolean ownerOnly, boolean active,
                        String hardResetCommand) {
}
