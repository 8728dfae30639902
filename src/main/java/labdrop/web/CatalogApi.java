package labdrop.web;

import java.util.LinkedHashMap;
import java.util.Map;
import labdrop.pkg.PackageType;

/** {@code /api/v1/packages} and {@code /api/v1/stats}: the package catalog and the lab's statistics. */
final class CatalogApi {
    private final WebServices services;

    CatalogApi(WebServices services) {
        this.services = services;
    }

    void routes(Router<ApiCall> router) {
        router.add("GET", "/packages", x -> packages())
                .add("GET", "/stats", x -> ApiViews.stats(services.stats().of(null, HostsApi.days(x))));
    }

    private Map<String, Object> packages() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (PackageType type : PackageType.values()) {
            m.put(type.label(), services.lab().catalog().names(type));
        }
        return m;
    }
}
