package labdrop.cli;

/** Plain aligned "label: value" lines for the show commands. */
final class Output {
    private Output() {
    }

    static void field(String label, Object value) {
        if (value != null && !String.valueOf(value).isEmpty()) {
            System.out.printf("%-20s %s%n", label + ":", value);
        }
    }
}
