package labdrop.admin;

import java.util.List;
import labdrop.host.Host;
import labdrop.host.HostQuery;

/**
 * One page of hosts as of clock tick {@code tick}: the names on it in order, those of its hosts
 * asked for (every one, or those written since the tick a live feed gave before), and how many
 * hosts match the query in all.
 */
public record HostPage(HostQuery query, List<String> names, List<Host> hosts, int total, long tick) {
    public HostPage {
        names = List.copyOf(names);
        hosts = List.copyOf(hosts);
    }

    public int pages() {
        return query.pages(total);
    }
}
