package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command block in {@code docs/*.md} marked {@code <!-- runnable -->} runs as written (issue 29):
 * each {@code ./compresso ...} line of the block, in order, through the CLI in this JVM, must end with exit
 * 0 (or the status a trailing {@code # exit N} names). The guides write under {@code /tmp/compresso-docs},
 * which the test points at a fresh temporary folder.
 */
class RunnableGuidesTest {

  static final String MARK = "<!-- runnable -->";
  static final String SCRATCH = "/tmp/compresso-docs";
  private static final Pattern EXIT = Pattern.compile("\\s+#\\s*exit\\s+(\\d+)\\s*$");

  @TempDir static Path tmp;

  @TestFactory
  Stream<DynamicTest> everyRunnableBlockRuns() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("docs"))) {
      for (Path doc : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        List<List<String>> blocks = blocks(Files.readAllLines(doc));
        for (int i = 0; i < blocks.size(); i++) {
          List<String> block = blocks.get(i);
          tests.add(DynamicTest.dynamicTest(doc.getFileName() + " block " + (i + 1), () -> runBlock(doc, block)));
        }
      }
    }
    assertTrue(tests.size() >= 5, "expected runnable blocks in docs/*.md, found " + tests.size());
    return tests.stream();
  }

  private static void runBlock(Path doc, List<String> block) {
    for (String line : block) {
      String command = line.strip();
      if (command.isEmpty() || command.startsWith("#")) {
        continue;
      }
      int expected = 0;
      Matcher m = EXIT.matcher(command);
      if (m.find()) {
        expected = Integer.parseInt(m.group(1));
        command = command.substring(0, m.start());
      }
      List<String> words = words(command.replace(SCRATCH, tmp.toString()));
      assertTrue(words.get(0).equals("./compresso"), doc + ": a runnable line must start with ./compresso: " + line);
      CliRun r = CliRun.of(words.subList(1, words.size()).toArray(String[]::new));
      assertEquals(expected, r.exit(), doc + ": `" + line + "` exited " + r.exit() + ": " + r.err());
    }
  }

  /** The lines of each fenced block right after a {@value #MARK} line. */
  static List<List<String>> blocks(List<String> lines) {
    List<List<String>> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).strip().equals(MARK)) {
        continue;
      }
      int open = i + 1;
      assertTrue(open < lines.size() && lines.get(open).startsWith("```"), "a " + MARK + " line must precede ```");
      List<String> block = new ArrayList<>();
      int j = open + 1;
      for (; j < lines.size() && !lines.get(j).startsWith("```"); j++) {
        block.add(lines.get(j));
      }
      assertFalse(block.isEmpty(), "empty runnable block");
      blocks.add(block);
      i = j;
    }
    return blocks;
  }

  /** Splits a command line into words: whitespace separates, single or double quotes group. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    char quote = 0;
    boolean any = false;
    for (char c : line.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        any = true;
      } else if (Character.isWhitespace(c)) {
        if (any || w.length() > 0) {
          words.add(w.toString());
          w.setLength(0);
          any = false;
        }
      } else {
        w.append(c);
      }
    }
    if (any || w.length() > 0) {
      words.add(w.toString());
    }
    return words;
  }
}
