package labdrop.ssh;

import java.nio.file.Path;
import java.util.Map;
import labdrop.queue.Doorbell;

/**
 * What a lab login (a gateway) may ask the server for besides its hosts' folders: packages of the
 * server's repositories ({@link PackageCommand}) and the lab's doorbell ({@link DoorbellCommand}).
 * A gateway's own SSH server offers neither ({@link #NONE}).
 */
public record GatewayServices(Map<String, Path> repositories, Doorbell doorbell) {
    public static final GatewayServices NONE = new GatewayServices(Map.of(), null);
}
