package labdrop.request;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import labdrop.drop.Names;
import labdrop.error.BadInputException;

/**
 * A kind of machine a request may name instead of one host: a host type plus labels that must
 * all be present on the host. Any healthy, free, allowed host of the pool may run the request.
 */
public record Pool(String type, List<String> labels, String avoid) {
    /** Most labels one pool may require. */
    public static final int MAX_LABELS = 20;

    public Pool {
        Names.require("host type", type);
        if (labels == null) {
            labels = List.of();
        }
        if (labels.size() > MAX_LABELS) {
            throw new BadInputException("the pool names " + labels.size() + " labels; at most " + MAX_LABELS
                    + " may be required");
        }
        labels.forEach(l -> Names.require("label", l));
        labels = List.copyOf(new TreeSet<>(labels));
        if (avoid != null) {
            Names.require("host to avoid", avoid);
        }
    }

    /** A pool of every matching host. */
    public Pool(String type, List<String> labels) {
        this(type, labels, null);
    }

    /** This pool without host {@code host} (a confirmation runs on another host than the first). */
    public Pool avoiding(String host) {
        return new Pool(type, labels, host);
    }

    /** True when a host of {@code hostType} with {@code hostLabels} (comma-separated) is of this pool. */
    public boolean matches(String hostType, String hostLabels) {
        return type.equals(hostType) && labelsOf(hostLabels).containsAll(labels);
    }

    /** True when host {@code hostName} of {@code hostType} with {@code hostLabels} may run this pool's work. */
    public boolean admits(String hostName, String hostType, String hostLabels) {
        return matches(hostType, hostLabels) && !hostName.equals(avoid);
    }

    /** How a pool reads in messages, lists and the drop: {@code rpi4} or {@code rpi4+usb3+wifi}. */
    public String label() {
        return labels.isEmpty() ? type : type + "+" + String.join("+", labels);
    }

    /** The labels the store keeps ({@code usb3,wifi}), empty for none. */
    public String labelsText() {
        return String.join(",", labels);
    }

    public static Pool of(String type, String labelsText) {
        return new Pool(type, List.copyOf(labelsOf(labelsText)));
    }

    private static Set<String> labelsOf(String text) {
        return text == null || text.isBlank() ? Set.of()
                : Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }
}
