package io.jdax.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** {@code jdax demo} runs every part and narrates each step of the store with the numbers the library gave. */
class DemoCommandTest {

    private static String demo() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            assertEquals(0, DemoCommand.run(out));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void contains(String text, String regex) {
        assertTrue(Pattern.compile(regex).matcher(text).find(), "the demo's output lacks /" + regex + "/:\n" + text);
    }

    @Test
    void theDemoNarratesEveryPartAndEveryStepOfTheStore() throws Exception {
        String out = demo();
        int n = 0;
        for (DemoCommand.Part p : DemoCommand.PARTS) {
            contains(out, "== " + ++n + "\\. " + Pattern.quote(p.title()));
        }
        contains(out, "'log' written: 16 pages.*fsync flushed 65536 bytes");
        contains(out, "reflink\\(log -> log.copy, 64 KiB\\): 'log.copy' is 65536 bytes.*free pages (\\d+) before, \\1 after");
        contains(out, "map page 0 of 'log': pfn (\\d+), share count 1");
        contains(out, "map page 0 of 'log.copy': pfn (\\d+), the same block; share count now 2 on both \\(2, 2\\); "
                + "it reads \"record 0\"");
        contains(out, "truncate\\('log.copy', 0\\) started.*it waits for the pin \\(waiters on the pinned block: 1\\); "
                + "'log.copy' is still 65536 bytes");
        contains(out, "the truncate finished; 'log.copy' is 0 bytes");
        contains(out, "page 0 of 'log': share count 1, reads \"record 0\"");
        contains(out, "2 dirty entries; fsync flushed 8192 bytes");
        contains(out, "statistics: FileStats\\[name=log, size=65536, extents=16");
        contains(out, "StoreStats\\[files=2");
    }

    @Test
    void theStorePartIsAfterTheDevice() {
        List<Class<?>> order = DemoCommand.PARTS.stream().<Class<?>>map(Object::getClass).toList();
        assertTrue(order.indexOf(DemoStore.class) == order.indexOf(DemoCommand.Device.class) + 1, order.toString());
    }
}
