package io.jdax.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The README says what the files say: its code examples are the tested ones, its tables the recorded JSON's. */
class ReadmeTest {

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    @Test
    void snippetsAreCopiedFromTheSourceAndRoundTrip() {
        String java = """
                class X {
                    void f() {
                        // snippet: one
                        int a = 1;

                            a++;
                        // snippet end
                    }
                }
                """;
        Map<String, String> s = Readme.sourceSnippets(java);
        assertEquals(Map.of("one", "int a = 1;\n\n    a++;\n"), s);
        String readme = "intro\n<!-- snippet: one -->\n```java\nold\n```\n<!-- snippet end -->\nrest\n";
        String updated = Readme.withSnippets(readme, s);
        assertEquals("intro\n<!-- snippet: one -->\n```java\nint a = 1;\n\n    a++;\n```\n<!-- snippet end -->\nrest\n", updated);
        assertEquals(s, Readme.readmeSnippets(updated));
        assertThrows(IllegalArgumentException.class, () -> Readme.withSnippets(readme, Map.of()));
    }

    @Test
    void reportSectionIsReplacedBetweenItsMarkers() {
        String readme = "a\n<!-- jdax report: old.json -->\nold table\n<!-- jdax report end -->\nb\n";
        assertEquals("old.json", Readme.reportSource(readme).orElseThrow());
        String updated = Readme.withReport(readme, "new.json", "new table");
        assertEquals("a\n<!-- jdax report: new.json -->\nnew table\n<!-- jdax report end -->\nb\n", updated);
        assertThrows(IllegalArgumentException.class, () -> Readme.withReport("no markers", "x", "y"));
    }

    @Test
    void theReadmeShowsExactlyTheTestedExamples() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Map<String, String> tested = Readme.sourceSnippets(Files.readString(ROOT.resolve(Readme.EXAMPLES)));
        Map<String, String> shown = Readme.readmeSnippets(readme);
        assertFalse(shown.isEmpty(), "the README shows no snippet");
        shown.forEach((name, code) -> assertEquals(tested.get(name), code,
                "README snippet '" + name + "' differs from " + Readme.EXAMPLES + ": run ./jdax report"));
    }

    @Test
    void theReadmePerformanceSectionIsTheRecordedFiles() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String source = Readme.reportSource(readme).orElseThrow();
        Results results = Results.read(ROOT.resolve(source));
        assertEquals(ReportCommand.section(source, results), Readme.report(readme).orElseThrow(),
                "the README's performance section is not what " + source + " gives: run ./jdax report");
    }
}
