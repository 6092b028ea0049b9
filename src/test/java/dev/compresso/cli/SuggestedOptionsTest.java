package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.cli.Option;
import org.junit.jupiter.api.Test;

/**
 * Every option a message suggests is one the user can give: walks the string literals of the main sources
 * and checks each {@code --option} in them against the verbs' Commons CLI options ({@link Main#COMMANDS}).
 *
 * <ul>
 *   <li>In a verb's own class ({@code cli/XCommand.java}), and in a CLI helper (e.g. {@code FineTuning}) for
 *       every verb that uses it, the option must be the verb's, unless the text just before it names the
 *       verb that has it ({@code 'compresso convert --precision'}, {@code prune --granularity}).
 *   <li>In library code an option must be one of some verb's; in the refusals that several verbs print
 *       (the full-integer planner reached by convert, qat and sweep; fine-tuning checks reached by prune, qat,
 *       cluster and sweep), it must be named with its verb that way.
 * </ul>
 * Classes with a {@code main} method (benchmarks, child processes) and {@link dev.compresso.validate.ProbeSpec}
 * (a child's arguments) parse their own arguments and are left out, as are literals that are a bare option
 * (an argument handed to a child) and other programs' options ({@code sbatch --array}).
 */
class SuggestedOptionsTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/compresso");
  private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--([a-z][a-z0-9-]*)");
  /** Library files reached by verbs that do not all share the options they might suggest. */
  private static final Set<String> SHARED_REFUSALS = Set.of("quant/QuantPlanner.java", "quant/Calibration.java",
      "diagnose/Diagnoser.java", "model/FineTuneChecks.java");
  private static final Set<String> CHILD_ARGUMENTS = Set.of("validate/ProbeSpec.java");
  private static final Pattern OTHER_PROGRAM = Pattern.compile("(?s).*\\b(sbatch|srun|kubectl|python3?) $");

  private static Map<String, Set<String>> verbOptions() {
    Map<String, Set<String>> m = new HashMap<>();
    for (Command c : Main.COMMANDS) {
      Set<String> names = new HashSet<>(List.of("verbose", "help"));
      for (Option o : c.options().getOptions()) {
        names.add(o.getLongOpt());
      }
      m.put(c.name(), names);
    }
    return m;
  }

  private record Suggestion(Path file, String option, String before) {}

  /** Every {@code --option} in the file's string literals, with the source text just before it. */
  private static List<Suggestion> suggestions(Path file) throws IOException {
    String src = Files.readString(file);
    List<Suggestion> out = new ArrayList<>();
    Matcher lit = LITERAL.matcher(src);
    while (lit.find()) {
      if (lit.group(1).strip().matches("--[a-z][a-z0-9-]*")) {
        continue;
      }
      Matcher opt = OPTION.matcher(lit.group(1));
      while (opt.find()) {
        int at = lit.start(1) + opt.start();
        // The text before, with the source's literal concatenations ("..." + "...") joined.
        String before = src.substring(Math.max(0, at - 200), at).replaceAll("\"\\s*\\+\\s*\"", "");
        out.add(new Suggestion(file, opt.group(1), before));
      }
    }
    return out;
  }

  /** The verb whose name stands right before the option ("compresso V ... --x", "'V --x", "V --x"), or null. */
  private static String namedVerb(String before, Map<String, Set<String>> verbs, String option) {
    for (String v : verbs.keySet()) {
      if (!verbs.get(v).contains(option)) {
        continue;
      }
      if (before.matches("(?s).*compresso " + v + "\\b[^.;]*") || before.matches("(?s).*(^|[\\s'(`])" + v + " $")) {
        return v;
      }
    }
    return null;
  }

  @Test
  void everySuggestedOptionBelongsToTheVerbThatPrintsIt() throws IOException {
    Map<String, Set<String>> verbs = verbOptions();
    Map<String, String> classToVerb = new HashMap<>();
    for (Command c : Main.COMMANDS) {
      classToVerb.put(c.getClass().getSimpleName() + ".java", c.name());
    }
    List<String> wrong = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(SOURCES)) {
      files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    for (Path f : files) {
      String rel = SOURCES.relativize(f).toString();
      String src = Files.readString(f);
      if (src.contains("public static void main(") || CHILD_ARGUMENTS.contains(rel)) {
        continue;
      }
      List<String> owners = new ArrayList<>();
      if (rel.startsWith("cli/")) {
        String name = f.getFileName().toString();
        if (classToVerb.containsKey(name)) {
          owners.add(classToVerb.get(name));
        } else {
          String helper = name.replace(".java", "") + ".";
          for (Command c : Main.COMMANDS) {
            String user = Files.readString(SOURCES.resolve("cli").resolve(c.getClass().getSimpleName() + ".java"));
            if (user.contains(helper)) {
              owners.add(c.name());
            }
          }
        }
      }
      for (Suggestion s : suggestions(f)) {
        if (namedVerb(s.before(), verbs, s.option()) != null || OTHER_PROGRAM.matcher(s.before()).matches()) {
          continue;
        }
        if (!owners.isEmpty()) {
          for (String v : owners) {
            if (!verbs.get(v).contains(s.option())) {
              wrong.add(rel + ": --" + s.option() + " is no option of '" + v + "'");
            }
          }
        } else if (SHARED_REFUSALS.contains(rel)) {
          wrong.add(rel + ": --" + s.option() + " is suggested by a refusal several verbs print; name its verb "
              + "('compresso V --" + s.option() + "')");
        } else if (verbs.values().stream().noneMatch(o -> o.contains(s.option()))) {
          wrong.add(rel + ": --" + s.option() + " is no option of any verb");
        }
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void theCheckFindsTheOldQatRefusal() {
    Map<String, Set<String>> verbs = verbOptions();
    String before = "the model cannot be fully integer: X. Quantizable op types: [..]; convert with ";
    assertTrue(namedVerb(before, verbs, "precision") == null, "'convert with --precision' names no verb");
    assertTrue(!verbs.get("qat").contains("precision"), "qat has no --precision");
    assertTrue("convert".equals(namedVerb("; convert it with 'compresso convert ", verbs, "precision")));
  }
}
