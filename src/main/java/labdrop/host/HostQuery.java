package labdrop.host;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;
import labdrop.drop.Names;
import labdrop.error.BadInputException;

/**
 * Which hosts the dashboard shows and how: narrowed to a host type, a state and a label, grouped by
 * type, state or label set, one page of them at a time. A page is {@code pageSize} hosts in the
 * group's order, then by name, so a lab of 10,000 hosts is a page of 100 and not a 3 MB table.
 */
public record HostQuery(String type, HostState state, String label, Group group, int page, int pageSize) {
    public static final int PAGE_SIZE = 100;
    public static final int MAX_PAGE_SIZE = 500;
    /** The last page asked for: 100,000 pages of 500 is far more hosts than one lab holds. */
    public static final int MAX_PAGE = 100_000;

    /** What the hosts are grouped (and so ordered) by; each host is in exactly one group. */
    public enum Group {
        TYPE("type"), STATE("state"), LABELS("labels");

        private final String column;

        Group(String column) {
            this.column = column;
        }

        /** The column the group orders by (a fixed name, never input). */
        public String column() {
            return column;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The group heading {@code h} is shown under. */
        public String of(Host h) {
            return switch (this) {
                case TYPE -> h.type();
                case STATE -> h.state().label();
                case LABELS -> h.labels() == null || h.labels().isBlank() ? "(no labels)"
                        : String.join(",", h.labels().strip().split("\\s*,\\s*"));
            };
        }
    }

    public HostQuery {
        if (type != null) {
            Names.require("host type", type);
        }
        if (label != null) {
            Names.require("label", label);
        }
        if (group == null) {
            group = Group.TYPE;
        }
        if (page < 1 || page > MAX_PAGE) {
            throw new BadInputException("page " + page + " is out of range: pages are numbered 1 to " + MAX_PAGE);
        }
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new BadInputException("page size " + pageSize + " is out of range: 1 to " + MAX_PAGE_SIZE
                    + " hosts a page (the default is " + PAGE_SIZE + ")");
        }
    }

    /** Every host, grouped by type, the first page. */
    public static HostQuery all() {
        return new HostQuery(null, null, null, Group.TYPE, 1, PAGE_SIZE);
    }

    /**
     * The query a page's parameters ask for: {@code type}, {@code state} (a state's label, e.g.
     * {@code Running}), {@code label}, {@code group} (type, state or labels), {@code page} and
     * {@code size}; an empty parameter is the same as none. Anything else is refused naming the
     * parameter, its value and the rule.
     */
    public static HostQuery parse(Function<String, String> parameter) {
        String group = blankToNull(parameter.apply("group"));
        Group g = Group.TYPE;
        if (group != null) {
            g = Arrays.stream(Group.values()).filter(v -> v.label().equals(group)).findFirst()
                    .orElseThrow(() -> new BadInputException("group " + Names.quote(group) + " is not one of "
                            + Arrays.stream(Group.values()).map(Group::label).collect(Collectors.joining(", "))));
        }
        String state = blankToNull(parameter.apply("state"));
        return new HostQuery(blankToNull(parameter.apply("type")), state == null ? null : HostState.parse(state),
                blankToNull(parameter.apply("label")), g, number(parameter, "page", 1), number(parameter, "size", PAGE_SIZE));
    }

    private static int number(Function<String, String> parameter, String name, int fallback) {
        String value = blankToNull(parameter.apply(name));
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new BadInputException(name + " " + Names.quote(value) + " is not a whole number");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** The hosts before this page. */
    public int offset() {
        return (page - 1) * pageSize;
    }

    /** The number of pages {@code total} matching hosts fill (at least one, an empty one). */
    public int pages(int total) {
        return Math.max(1, (total + pageSize - 1) / pageSize);
    }

    /** This query on page {@code n}. */
    public HostQuery onPage(int n) {
        return new HostQuery(type, state, label, group, n, pageSize);
    }

    /** True when {@code h} matches the filters (the rule the store's query applies). */
    public boolean matches(Host h) {
        return (type == null || type.equals(h.type())) && (state == null || state == h.state())
                && (label == null || Arrays.asList(h.labels().split("\\s*,\\s*")).contains(label));
    }

    /** The query string of this query (without defaults), for links and the live feed. */
    public String queryString() {
        StringBuilder s = new StringBuilder();
        append(s, "type", type);
        append(s, "state", state == null ? null : state.label());
        append(s, "label", label);
        append(s, "group", group == Group.TYPE ? null : group.label());
        append(s, "page", page == 1 ? null : Integer.toString(page));
        append(s, "size", pageSize == PAGE_SIZE ? null : Integer.toString(pageSize));
        return s.toString();
    }

    private static void append(StringBuilder s, String name, String value) {
        if (value != null) {
            s.append(s.isEmpty() ? "" : "&").append(name).append('=').append(value);
        }
    }
}
