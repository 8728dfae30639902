package labdrop.gateway;

/**
 * Every {@link GatewayIT} scenario with the gateway's own link to the server over the real rsync
 * and OpenSSH client ({@code rsync+ssh://}, one OpenSSH master connection that every rsync call,
 * package fetch and doorbell poll shares).
 */
class GatewayRsyncIT extends GatewayIT {
    @Override
    String linkScheme() {
        return "rsync+ssh";
    }

    /** rsync's push of one file, audited by its destination. */
    @Override
    String pushAuditEvent() {
        return "rsync-write";
    }
}
