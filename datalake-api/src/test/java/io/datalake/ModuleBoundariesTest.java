package io.datalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture rules of the whole source tree (every module, main and test sources), checked by reading the
 * {@code .java} files of the repository this module sits in. A unit test: no server, no compiled classes.
 *
 * <ul>
 *   <li><b>Internal stays internal.</b> A package with a segment {@code internal} belongs to the module whose
 *       sources declare it; no other module's main or test source refers to it, by import (single-type, static or
 *       on demand) or by a fully qualified name in code. A module uses another only through its public packages.
 *   <li><b>No import circle between files.</b> The graph: one node per source file (its top-level type), an edge
 *       from a file to every top-level type <em>of another package</em> it names explicitly, by a single-type or
 *       static import or by a fully qualified name in code (a nested type counts as its top-level type). Comments
 *       (Javadoc included) and string literals are ignored. References within one package are not edges: a package
 *       is one unit of design, and types of one package naturally refer to each other. The graph has no cycle.
 *   <li><b>No on-demand imports of the project's packages</b> ({@code import io.datalake.x.*}), which would hide
 *       edges from the graph above.
 * </ul>
 */
class ModuleBoundariesTest {
    private static final String ROOT_PACKAGE = "io.datalake";
    /** A qualified name under the project's root package, as written in code. */
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.])io\\.datalake(?:\\s*\\.\\s*[A-Za-z_$][\\w$]*)+(\\s*\\.\\s*\\*)?");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    private static List<SourceFile> files = List.of();
    /** The fixtures that start the embedded server (the shared test lakes, the CLI runner, the factory). */
    private static final Pattern EMBEDDED_FIXTURES = Pattern.compile(
            "\\b(TestLakes|TestLake|EmbeddedServer|EmbeddedMongo|CliRunner)\\b|Datalakes\\.embedded\\(");

    /** One source file: its module (directory relative to the root), package, top-level type and references. */
    record SourceFile(String module, Path path, String packageName, String typeName, List<Reference> references) {
        String qualifiedName() {
            return packageName + "." + typeName;
        }
    }

    /**
     * A qualified name a file writes in code.
     *
     * @param packageName the segments before the first capitalized one
     * @param typeName the first capitalized segment, or null for a package (an on-demand import)
     * @param onDemand whether it ends with {@code .*}
     */
    record Reference(String packageName, @Nullable String typeName, boolean onDemand) {
        String text() {
            return packageName + (typeName == null ? "" : "." + typeName) + (onDemand ? ".*" : "");
        }
    }

    @BeforeAll
    static void readSources() throws IOException {
        files = readAll(repositoryRoot());
    }

    @Test
    void theScanSeesEveryModuleAndBothKindsOfSource() {
        Set<String> modules = files.stream().map(SourceFile::module).collect(Collectors.toSet());
        assertThat(modules).contains("datalake-api", "query-engine", "datalake-mongo", "datalake-cli", "benchmarks",
                "registry-backends/registry-conformance", "registry-backends/registry-file");
        assertThat(files).as("main and test sources").anyMatch(f -> f.path().toString().contains("/src/test/"))
                .anyMatch(f -> f.path().toString().contains("/src/main/"));
        assertThat(files).as("the scan finds qualified names in code")
                .anyMatch(f -> f.typeName().equals("Datalake") && f.references().stream()
                        .anyMatch(r -> "io.datalake.query".equals(r.packageName())));
    }

    @Test
    void noModuleRefersToAnotherModulesInternalPackage() {
        assertThat(internalViolations(files)).isEmpty();
    }

    @Test
    void noImportCircleBetweenFiles() {
        assertThat(importCircles(files)).isEmpty();
    }

    @Test
    void noOnDemandImportOfTheProjectsPackages() {
        List<String> found = new ArrayList<>();
        for (SourceFile file : files) {
            for (Reference r : file.references()) {
                if (r.onDemand()) {
                    found.add(file.path() + ": " + r.text());
                }
            }
        }
        assertThat(found).isEmpty();
    }

    /**
     * Test names say their scope: a unit test ({@code *Test}) that starts the embedded MongoDB-compatible server,
     * directly or through one of the shared fixtures, is named {@code Embedded*Test}; tests against a real MongoDB
     * are {@code MongoContainer*IT}; every other {@code *Test} needs no server.
     */
    @Test
    void testsThatStartTheEmbeddedServerSayItInTheirName() throws IOException {
        List<String> misnamed = new ArrayList<>();
        for (SourceFile file : files) {
            String name = file.typeName();
            if (!file.path().toString().contains("/src/test/") || !name.endsWith("Test") || name.startsWith("Embedded")) {
                continue;
            }
            String code = codeOnly(Files.readString(repositoryRoot().resolve(file.path())));
            if (EMBEDDED_FIXTURES.matcher(code).find()) {
                misnamed.add(file.path().toString());
            }
        }
        assertThat(misnamed).as("tests that start the embedded server but are not named Embedded*Test").isEmpty();
    }

    @Test
    void theRulesCatchAViolation() {
        // Guards the checks themselves: a test file of the CLI naming the store's internals, and two files of
        // different packages importing each other, must be reported.
        Path cliTest = Path.of("datalake-cli/src/test/java/io/datalake/cli/Probe.java");
        SourceFile probe = new SourceFile("datalake-cli", cliTest, "io.datalake.cli", "Probe", List.of(
                new Reference("io.datalake.mongo.internal", "MongoDatalake", false)));
        SourceFile back = new SourceFile("datalake-cli", Path.of("datalake-cli/src/test/java/io/datalake/cli/x/Back.java"),
                "io.datalake.cli.x", "Back", List.of(new Reference("io.datalake.cli", "Probe", false)));
        SourceFile forth = new SourceFile("datalake-cli", cliTest, "io.datalake.cli", "Probe", List.of(
                new Reference("io.datalake.cli.x", "Back", false)));
        SourceFile owner = new SourceFile("datalake-mongo",
                Path.of("datalake-mongo/src/main/java/io/datalake/mongo/internal/MongoDatalake.java"),
                "io.datalake.mongo.internal", "MongoDatalake", List.of());
        assertThat(internalViolations(List.of(owner, probe))).singleElement().asString()
                .contains("Probe.java", "io.datalake.mongo.internal.MongoDatalake", "datalake-mongo");
        assertThat(importCircles(List.of(back, forth))).singleElement().asString()
                .contains("io.datalake.cli.Probe", "io.datalake.cli.x.Back");
        assertThat(references("import io.datalake.mongo.internal.*;\nclass A { Object o = "
                + "io.datalake.internal.Values.MAX_DEPTH; /* io.datalake.x.internal.C */ String s = "
                + "\"io.datalake.y.internal.D\"; }"))
                .extracting(Reference::text)
                .containsExactly("io.datalake.mongo.internal.*", "io.datalake.internal.Values");
    }

    /** Each reference from a module to a package with an {@code internal} segment that the module does not declare. */
    static List<String> internalViolations(List<SourceFile> files) {
        Map<String, Set<String>> owners = new HashMap<>();
        for (SourceFile file : files) {
            owners.computeIfAbsent(file.packageName(), p -> new TreeSet<>()).add(file.module());
        }
        List<String> violations = new ArrayList<>();
        for (SourceFile file : files) {
            for (Reference r : file.references()) {
                boolean internal = List.of(r.packageName().split("\\.")).contains("internal");
                Set<String> declaredBy = owners.getOrDefault(r.packageName(), Set.of());
                if (internal && !declaredBy.contains(file.module())) {
                    violations.add(file.path() + " (module " + file.module() + ") refers to " + r.text()
                            + ", an internal package of " + (declaredBy.isEmpty() ? "no module" : declaredBy));
                }
            }
        }
        return violations;
    }

    /** The strongly connected components of more than one file in the graph of cross-package references. */
    static List<List<String>> importCircles(List<SourceFile> files) {
        Map<String, List<SourceFile>> byName = new HashMap<>();
        files.forEach(f -> byName.computeIfAbsent(f.qualifiedName(), n -> new ArrayList<>()).add(f));
        Map<String, Set<String>> edges = new TreeMap<>();
        for (SourceFile file : files) {
            Set<String> targets = edges.computeIfAbsent(file.qualifiedName(), n -> new TreeSet<>());
            for (Reference r : file.references()) {
                if (r.typeName() == null || r.packageName().equals(file.packageName())) {
                    continue;
                }
                String target = r.packageName() + "." + r.typeName();
                if (byName.containsKey(target)) {
                    targets.add(target);
                }
            }
        }
        return new Tarjan(edges).components().stream().filter(c -> c.size() > 1).toList();
    }

    /** Tarjan's strongly connected components, iterative so a long chain of files cannot overflow the stack. */
    private static final class Tarjan {
        private final Map<String, Set<String>> edges;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new HashSet<>();
        private final List<List<String>> components = new ArrayList<>();
        private int next;

        Tarjan(Map<String, Set<String>> edges) {
            this.edges = edges;
        }

        List<List<String>> components() {
            for (String node : edges.keySet()) {
                if (!index.containsKey(node)) {
                    visit(node);
                }
            }
            return components;
        }

        private void visit(String root) {
            Deque<Map.Entry<String, List<String>>> work = new ArrayDeque<>();
            open(root, work);
            while (!work.isEmpty()) {
                Map.Entry<String, List<String>> top = work.peek();
                String node = top.getKey();
                List<String> pending = top.getValue();
                if (!pending.isEmpty()) {
                    String target = pending.remove(pending.size() - 1);
                    if (!index.containsKey(target)) {
                        open(target, work);
                    } else if (onStack.contains(target)) {
                        low.put(node, Math.min(low.get(node), index.get(target)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    String parent = work.peek().getKey();
                    low.put(parent, Math.min(low.get(parent), low.get(node)));
                }
                if (low.get(node).equals(index.get(node))) {
                    List<String> component = new ArrayList<>();
                    String member;
                    do {
                        member = stack.pop();
                        onStack.remove(member);
                        component.add(member);
                    } while (!member.equals(node));
                    component.sort(null);
                    components.add(component);
                }
            }
        }

        private void open(String node, Deque<Map.Entry<String, List<String>>> work) {
            index.put(node, next);
            low.put(node, next);
            next++;
            stack.push(node);
            onStack.add(node);
            work.push(Map.entry(node, new ArrayList<>(edges.getOrDefault(node, Set.of()))));
        }
    }

    /** The directory of the top-level pom: the highest directory upwards from here that holds a pom.xml. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        Path root = dir;
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml"))) {
                root = d;
            }
        }
        assertThat(root.resolve("pom.xml")).as("the top-level pom above " + dir).isRegularFile();
        return root;
    }

    private static List<SourceFile> readAll(Path root) throws IOException {
        List<Path> modules;
        try (Stream<Path> walk = Files.walk(root)) {
            modules = walk.filter(d -> Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("src")))
                    .filter(d -> !skipped(root.relativize(d)))
                    .toList();
        }
        List<SourceFile> found = new ArrayList<>();
        for (Path module : modules) {
            String name = root.relativize(module).toString().replace('\\', '/');
            try (Stream<Path> walk = Files.walk(module.resolve("src"))) {
                for (Path path : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    found.add(read(name, root.relativize(path), Files.readString(path, StandardCharsets.UTF_8)));
                }
            }
        }
        return found;
    }

    /** Build output, VCS data and hidden directories are not sources. */
    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            String s = part.toString();
            if (s.equals("target") || s.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static SourceFile read(String module, Path path, String text) {
        String code = codeOnly(text);
        Matcher declared = PACKAGE.matcher(code);
        String packageName = declared.find() ? declared.group(1) : "";
        String fileName = path.getFileName().toString();
        String typeName = fileName.substring(0, fileName.length() - ".java".length());
        String body = declared.reset().replaceFirst("");
        return new SourceFile(module, path, packageName, typeName, references(body));
    }

    /** The qualified names under {@code io.datalake} in code (comments and literals already removed). */
    static List<Reference> references(String text) {
        String code = codeOnly(text);
        List<Reference> found = new ArrayList<>();
        Matcher m = QUALIFIED.matcher(code);
        while (m.find()) {
            boolean onDemand = m.group(1) != null;
            String name = m.group().replaceAll("\\s+", "");
            if (onDemand) {
                name = name.substring(0, name.length() - 2);
            }
            List<String> packageParts = new ArrayList<>();
            @Nullable String type = null;
            for (String segment : name.split("\\.")) {
                if (Character.isUpperCase(segment.charAt(0))) {
                    type = segment;
                    break;
                }
                packageParts.add(segment);
            }
            String packageName = String.join(".", packageParts);
            if (packageName.startsWith(ROOT_PACKAGE)) {
                found.add(new Reference(packageName, type, onDemand));
            }
        }
        return found;
    }

    /** The text with comments, string and character literals (text blocks included) blanked out. */
    static String codeOnly(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                int end = text.indexOf('\n', i);
                i = blank(out, text, i, end < 0 ? n : end);
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                i = blank(out, text, i, end < 0 ? n : end + 2);
            } else if (text.startsWith("\"\"\"", i)) {
                int end = text.indexOf("\"\"\"", i + 3);
                while (end > 0 && text.charAt(end - 1) == '\\') {
                    end = text.indexOf("\"\"\"", end + 1);
                }
                i = blank(out, text, i, end < 0 ? n : end + 3);
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && text.charAt(j) != c && text.charAt(j) != '\n') {
                    j += text.charAt(j) == '\\' ? 2 : 1;
                }
                i = blank(out, text, i, Math.min(n, j + 1));
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Replaces text[from, to) with spaces, keeping line breaks, and returns {@code to}. */
    private static int blank(StringBuilder out, String text, int from, int to) {
        for (int k = from; k < to; k++) {
            out.append(text.charAt(k) == '\n' ? '\n' : ' ');
        }
        return to;
    }
}
