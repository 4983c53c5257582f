package io.jdax.catalogue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.LinkedHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of docs/bad-input.md: the misuse raises exactly the documented exception, its message names the
 * bad value, and nothing else changed (page counts, orders, owners, pool and device statistics, the
 * allocator's {@code verify()}, files on disk), and every object still open keeps working.
 */
class BadInputCatalogueTest {

    /** Row id to its table line with the message seen, written to target/ to compare with docs/bad-input.md. */
    private static final Map<String, String> SEEN = new LinkedHashMap<>();

    static Stream<Row> rows() {
        return Stream.of(MemoryRows.rows(), PageRows.rows(), PoolRows.rows(), DeviceRows.rows(),
                        MappingRows.rows(), SlabRows.rows(), StoreRows.rows())
                .flatMap(s -> s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void isRejectedAndChangesNothing(Row row) throws Exception {
        check(row);
    }

    /** The whole check of one row; also used by the rows still open. */
    static void check(Row row) throws Exception {
        try (Env env = new Env(row.mode())) {
            row.arrange().run(env);
            String before = env.snapshot();
            Throwable t = assertThrows(Throwable.class, () -> row.misuse().run(env));
            if (row.exact()) {
                assertEquals(row.type(), t.getClass(), () -> "wrong exception: " + t);
            } else {
                assertTrue(row.type().isInstance(t), () -> "wrong exception: " + t);
            }
            String message = String.valueOf(t.getMessage());
            synchronized (SEEN) {
                SEEN.put(row.id(), "| `" + row.id() + "` | `" + row.call() + "` | `" + t.getClass().getSimpleName()
                        + "` | " + message.replace("|", "\\|").replace('\n', ' ') + " |");
            }
            for (Object key : row.keys()) {
                assertTrue(message.contains(String.valueOf(key)), () -> "'" + message + "' should name " + key);
            }
            String after = env.snapshot();
            String expected = row.counted() == null ? before
                    : before.replace(row.counted() + "=0]", row.counted() + "=1]");
            assertEquals(expected, after, () -> "the misuse changed state: " + diff(before, after));
            env.assertUsable();
        }
    }

    /** The table in the docs has a line for every row here, and names no row that is not here. */
    @Test
    void theDocsListEveryRow() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "bad-input.md"));
        List<String> ids = Stream.concat(rows().map(Row::id), OpenMisuseTest.IDS.stream()).toList();
        for (String id : ids) {
            assertTrue(doc.contains("| `" + id + "` |"), () -> "docs/bad-input.md has no row " + id);
        }
        Matcher m = Pattern.compile("(?m)^\\| `([a-z0-9-]+)` \\|").matcher(doc);
        while (m.find()) {
            assertTrue(ids.contains(m.group(1)), "docs/bad-input.md names a row no test checks: " + m.group(1));
        }
    }

    private static String diff(String before, String after) {
        String[] b = before.split("\n");
        String[] a = after.split("\n");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < b.length ? b[i] : "";
            String y = i < a.length ? a[i] : "";
            if (!x.equals(y)) {
                s.append("[").append(x).append("] -> [").append(y).append("] ");
            }
        }
        return s.toString();
    }

    @AfterAll
    static void writeMessages() throws IOException {
        StringBuilder s = new StringBuilder();
        synchronized (SEEN) {
            SEEN.values().forEach(line -> s.append(line).append('\n'));
        }
        Path out = Path.of("target", "bad-input-table.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, s);
    }
}
