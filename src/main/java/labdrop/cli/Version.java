package labdrop.cli;

import picocli.CommandLine;

/** {@code labdrop --version}: the jar's Implementation-Version. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Version.class.getPackage().getImplementationVersion();
        return new String[] {"labdrop " + (version == null ? "(development build)" : version)};
    }
}
