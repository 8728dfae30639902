package labdrop;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ParserConfiguration.LanguageLevel;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.ImportDeclaration;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.PackageDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.expr.FieldAccessExpr;
import com.github.javaparser.ast.expr.Name;
import com.github.javaparser.ast.expr.NameExpr;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every type is named through an import, never inline as {@code java.util.Map} or
 * {@code labdrop.ssh.KeyRegistry}: a reader sees a file's dependencies at its top. A qualified
 * name is allowed only where Java leaves no choice: its simple name is already taken in the file
 * (imported from another package, or declared there, or by a member type of a supertype, which a
 * comment on the line names with "qualified:").
 */
class ImportsTest {
    private static final Set<String> ROOTS = Set.of("java", "javax", "jakarta", "org", "com", "io", "net", "picocli", "labdrop");
    private static final JavaParser PARSER = new JavaParser(new ParserConfiguration().setLanguageLevel(LanguageLevel.JAVA_17));

    @Test
    void mainAndTestCodeNameTypesThroughImports() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path root : List.of(Path.of("src/main/java"), Path.of("src/test/java"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    found.addAll(qualifiedNames(file));
                }
            }
        }
        assertThat(found).as("inline qualified names; import the type instead").isEmpty();
    }

    @Test
    void aQualifiedNameIsFoundInTypesCallsAndAnnotationsButNotWhereItsNameIsTaken() {
        String source = """
                package labdrop.x;
                import labdrop.request.Request;
                class A {
                    java.util.Map<String, String> map;
                    @java.lang.Deprecated void old() {}
                    void call() throws java.io.IOException { java.nio.file.Files.delete(null); }
                    void jetty(org.eclipse.jetty.server.Request clash, Request ours) {}
                    String text = "java.util.List";
                }
                """;
        List<String> lines = check("A.java", PARSER.parse(source).getResult().orElseThrow(), source.lines().toList());
        assertThat(lines).containsExactly("A.java:4 java.util.Map", "A.java:5 java.lang.Deprecated",
                "A.java:6 java.io.IOException", "A.java:6 java.nio.file.Files");
    }

    private static List<String> qualifiedNames(Path file) throws IOException {
        CompilationUnit unit = PARSER.parse(file).getResult()
                .orElseThrow(() -> new AssertionError("cannot parse " + file));
        return check(file.toString(), unit, Files.readAllLines(file));
    }

    private static List<String> check(String file, CompilationUnit unit, List<String> lines) {
        Set<String> taken = new HashSet<>();
        String ownPackage = unit.getPackageDeclaration().map(p -> p.getNameAsString()).orElse("");
        for (ImportDeclaration imported : unit.getImports()) {
            if (!imported.isStatic() && !imported.isAsterisk()) {
                taken.add(imported.getNameAsString());
            }
        }
        Set<String> declared = new HashSet<>();
        unit.findAll(TypeDeclaration.class).forEach(t -> declared.add(t.getNameAsString()));
        List<String> found = new ArrayList<>();
        unit.walk(node -> qualified(node).ifPresent(name -> {
            if (inImportOrPackage(node)) {
                return;
            }
            String simple = name.substring(name.lastIndexOf('.') + 1);
            boolean clash = declared.contains(simple) || taken.stream()
                    .anyMatch(i -> i.endsWith("." + simple) && !i.equals(name));
            int line = node.getBegin().map(p -> p.line).orElse(0);
            boolean explained = line > 0 && lines.get(line - 1).contains("qualified:");
            if (!clash && !explained && !name.startsWith(ownPackage + "." + simple)) {
                found.add(file + ":" + line + " " + name);
            }
        }));
        return found;
    }

    /** The qualified type name a node spells out (package segments, then a capitalised type), if any. */
    private static Optional<String> qualified(Node node) {
        String text;
        if (node instanceof ClassOrInterfaceType type && type.getScope().isPresent()) {
            if (node.getParentNode().filter(ClassOrInterfaceType.class::isInstance).isPresent()) {
                return Optional.empty();
            }
            text = type.getScope().get().asString() + "." + type.getNameAsString();
        } else if (node instanceof FieldAccessExpr access && access.getScope() instanceof NameExpr
                || node instanceof FieldAccessExpr access2 && access2.getScope() instanceof FieldAccessExpr) {
            if (node.getParentNode().filter(FieldAccessExpr.class::isInstance).isPresent()) {
                return Optional.empty();
            }
            text = node.toString();
        } else if (node instanceof Name name && name.getQualifier().isPresent()
                && node.getParentNode().filter(Name.class::isInstance).isEmpty()) {
            text = name.asString();
        } else {
            return Optional.empty();
        }
        return typePrefix(text);
    }

    /** {@code java.nio.file.Files.delete} → {@code java.nio.file.Files}; empty when it is not a package path. */
    private static Optional<String> typePrefix(String text) {
        String[] parts = text.split("\\.");
        if (parts.length < 2 || !ROOTS.contains(parts[0])) {
            return Optional.empty();
        }
        StringBuilder name = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            name.append('.').append(parts[i]);
            if (Character.isUpperCase(parts[i].charAt(0))) {
                return Optional.of(name.toString());
            }
        }
        return Optional.empty();
    }

    private static boolean inImportOrPackage(Node node) {
        return node.findAncestor(ImportDeclaration.class).isPresent() || node.findAncestor(PackageDeclaration.class).isPresent();
    }
}
