package labdrop.lab;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import labdrop.drop.DropLayout;
import labdrop.host.HostTypes;
import labdrop.pkg.PackageCatalog;
import labdrop.store.Store;

/** What every piece of the server's logic works on: the store, the drop, the host types, the package repositories, the clock. */
public record Lab(Store store, DropLayout drop, HostTypes hostTypes, PackageCatalog catalog, Clock clock) {

    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
