package io.jdax.bench.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's generated parts, found between marker comments:
 * <pre>
 * &lt;!-- jdax report: benchmarks/results/FILE.json --&gt;  ...the performance section...  &lt;!-- jdax report end --&gt;
 * &lt;!-- snippet: NAME --&gt;  ```java ... ```  &lt;!-- snippet end --&gt;
 * </pre>
 * Snippets come from a Java test source where they sit between {@code // snippet: NAME} and
 * {@code // snippet end} lines, so every code example in the README is compiled and run.
 */
public final class Readme {

    static final String EXAMPLES = "core/src/test/java/io/jdax/ReadmeExamplesTest.java";
    private static final Pattern REPORT = Pattern.compile(
            "(<!-- jdax report: (\\S+) -->\n)(.*?)(<!-- jdax report end -->)", Pattern.DOTALL);
    private static final Pattern SNIPPET = Pattern.compile(
            "(<!-- snippet: (\\S+) -->\n)(.*?)(<!-- snippet end -->)", Pattern.DOTALL);
    private static final Pattern SOURCE_SNIPPET = Pattern.compile(
            "^[ \\t]*// snippet: (\\S+)[ \\t]*\n(.*?)^[ \\t]*// snippet end[ \\t]*$", Pattern.DOTALL | Pattern.MULTILINE);

    private Readme() {
    }

    /** The results file the README's performance section is generated from, relative to the repository root. */
    public static Optional<String> reportSource(String readme) {
        Matcher m = REPORT.matcher(readme);
        return m.find() ? Optional.of(m.group(2)) : Optional.empty();
    }

    /** The README with its performance section replaced, and its begin marker naming {@code source}. */
    public static String withReport(String readme, String source, String section) {
        Matcher m = REPORT.matcher(readme);
        if (!m.find()) {
            throw new IllegalArgumentException("the README has no '<!-- jdax report: FILE -->' ... "
                    + "'<!-- jdax report end -->' markers");
        }
        String body = section.endsWith("\n") ? section : section + "\n";
        return readme.substring(0, m.start()) + "<!-- jdax report: " + source + " -->\n" + body + m.group(4)
                + readme.substring(m.end());
    }

    /** The performance section currently in the README, between the markers. */
    public static Optional<String> report(String readme) {
        Matcher m = REPORT.matcher(readme);
        return m.find() ? Optional.of(m.group(3)) : Optional.empty();
    }

    /** The snippets of a Java source, by name, with their common indentation removed. */
    public static Map<String, String> sourceSnippets(String java) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = SOURCE_SNIPPET.matcher(java);
        while (m.find()) {
            if (out.put(m.group(1), dedent(m.group(2))) != null) {
                throw new IllegalArgumentException("snippet '" + m.group(1) + "' appears twice");
            }
        }
        return out;
    }

    /** Lines without the indentation they all share (blank lines aside), trailing spaces dropped. */
    static String dedent(String block) {
        List<String> lines = List.of(block.split("\n"));
        int indent = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                indent = Math.min(indent, l.length() - l.stripLeading().length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l.isBlank() ? "" : l.substring(indent).stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    /** The snippets in the README, by name: the code between the fences. */
    public static Map<String, String> readmeSnippets(String readme) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = SNIPPET.matcher(readme);
        while (m.find()) {
            out.put(m.group(2), fenced(m.group(3)));
        }
        return out;
    }

    private static String fenced(String block) {
        List<String> lines = new ArrayList<>(List.of(block.split("\n", -1)));
        while (!lines.isEmpty() && !lines.get(0).startsWith("```")) {
            lines.remove(0);
        }
        if (lines.isEmpty()) {
            return "";
        }
        lines.remove(0);
        int end = lines.indexOf("```");
        return String.join("\n", end < 0 ? lines : lines.subList(0, end)) + "\n";
    }

    /** The README with every snippet replaced by the source's; a README snippet the source lacks is an error. */
    public static String withSnippets(String readme, Map<String, String> snippets) {
        Matcher m = SNIPPET.matcher(readme);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String code = snippets.get(m.group(2));
            if (code == null) {
                throw new IllegalArgumentException("the README shows snippet '" + m.group(2) + "', which "
                        + EXAMPLES + " does not have");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + "```java\n" + code + "```\n" + m.group(4)));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
