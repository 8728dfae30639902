package labdrop;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import labdrop.store.Store;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md, read from the compiled classes (ArchUnit), so a
 * dependency written as an inline qualified name, a lambda or a field type counts like an import.
 */
class ArchitectureTest {
    /** The domain: records, rules and formats, free of every framework. */
    static final String[] DOMAIN = {"labdrop.request..", "labdrop.host..", "labdrop.drop..", "labdrop.pkg..",
            "labdrop.error..", "labdrop.config..", "labdrop.user..", "labdrop.result..", "labdrop.event..",
            "labdrop.retry.."};
    static final String[] FRAMEWORKS = {"org.apache.camel..", "org.eclipse.jetty..", "org.apache.sshd..",
            "org.quartz..", "org.jdbi..", "com.zaxxer..", "org.flywaydb..", "picocli.."};

    static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("labdrop");
    }

    @Test
    void noPackageCycles() {
        slices().matching("labdrop.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theDomainUsesNoFramework() {
        noClasses().that().resideInAnyPackage(DOMAIN).should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .because("the domain is plain Java with fast tests (docs/architecture.md)").check(classes);
    }

    @Test
    void onlyTheLauncherUsesTheCompositionRoot() {
        noClasses().that().resideOutsideOfPackages("labdrop.app..", "labdrop.cli..")
                .should().dependOnClassesThat().resideInAPackage("labdrop.app..")
                .because("app wires everything, so nothing it wires may reach back into it").check(classes);
    }

    @Test
    void theWebCallsApplicationServicesNeverTheStore() {
        DescribedPredicate<JavaMethodCall> storeAccess = DescribedPredicate.describe("the store (Store or a *Rows query)",
                call -> call.getTargetOwner().getPackageName().equals("labdrop.store")
                        && (call.getTargetOwner().isEquivalentTo(Store.class) || call.getTarget().resolveMember()
                        .map(m -> m.getModifiers().contains(JavaModifier.STATIC)).orElse(false)));
        noClasses().that().resideInAPackage("labdrop.web..").should().callMethodWhere(storeAccess)
                .because("pages and the API go through queue, admin, ops and account (docs/architecture.md)").check(classes);
    }

    @Test
    void noGrabBagPackages() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of("src/main/java/labdrop"))) {
            assertThat(dirs.map(d -> d.getFileName().toString()))
                    .doesNotContain("util", "utils", "common", "helpers", "misc", "server");
        }
    }
}
