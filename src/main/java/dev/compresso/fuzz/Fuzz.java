package dev.compresso.fuzz;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.compresso.CompressoException;
import dev.compresso.bench.ChildJvm;
import dev.compresso.io.AtomicOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Feeds damaged {@code .tflite} and SavedModel files ({@link Mutator}) to the readers in child JVMs
 * ({@link FuzzChild}) and counts what happened: accepted, refused cleanly, refused untidily, leaked
 * (another exception or exit 1), hung (past the per-case bound) and crashed (the child died). A child that
 * crashes or hangs is replaced and the run continues after the case that killed it, so a crash is a
 * number in the report, not the end of the run.
 *
 * <p>Command line: {@code Fuzz [--tflite F,...] [--savedmodel DIR,...] [--tflite-cases N]
 * [--savedmodel-cases N] [--seed S] [--timeout-ms T]}; prints one JSON document.
 */
public final class Fuzz {

  /** Per-case bound by default: generous for a TF load on a loaded 2-core machine. */
  public static final long TIMEOUT_MS_DEFAULT = 20_000;

  /**
   * What to fuzz.
   *
   * @param tfliteSeeds real .tflite files to damage
   * @param savedModelSeeds real SavedModel directories to damage
   * @param tfliteCases how many .tflite cases (numbered from 0)
   * @param savedModelCases how many SavedModel cases
   * @param seed selects the mutations; the same seed gives the same cases
   * @param timeoutMs per-case bound; a case that runs longer counts as a hang
   * @param sabotage case number to "crash" or "hang": the child does that on purpose (tests of the
   *     bookkeeping); empty for a real run
   */
  public record Config(List<Path> tfliteSeeds, List<Path> savedModelSeeds, int tfliteCases, int savedModelCases,
      long seed, long timeoutMs, Map<Integer, String> sabotage) {
    public Config {
      sabotage = Map.copyOf(sabotage);
      tfliteSeeds = List.copyOf(tfliteSeeds);
      savedModelSeeds = List.copyOf(savedModelSeeds);
      if (tfliteCases < 0 || savedModelCases < 0) {
        throw new IllegalArgumentException("case counts must be >= 0");
      }
      if (tfliteCases > 0 && tfliteSeeds.isEmpty() || savedModelCases > 0 && savedModelSeeds.isEmpty()) {
        throw new IllegalArgumentException("cases asked for without seed files");
      }
      if (timeoutMs < 100) {
        throw new IllegalArgumentException("timeoutMs must be at least 100, got " + timeoutMs);
      }
    }
  }

  /** Counts of one family. */
  public static final class Tally {
    int cases;
    int crashes;
    int hangs;
    int children;
    final Map<String, Map<String, Integer>> byTarget = new TreeMap<>();
    final Map<String, Integer> byKind = new TreeMap<>();
    final List<String> problems = new ArrayList<>();
    final List<String> samples = new ArrayList<>();

    public int cases() {
      return cases;
    }

    public int crashes() {
      return crashes;
    }

    public int hangs() {
      return hangs;
    }

    /** Child JVMs started: one, plus one per crash or hang. */
    public int children() {
      return children;
    }

    /** Cases where some target leaked a non-BadInput exception or exit 1. */
    public int count(FuzzOutcome outcome) {
      return byTarget.values().stream().mapToInt(m -> m.getOrDefault(outcome.label(), 0)).sum();
    }

    /** The first problem lines (leaks, untidy messages, crashes, hangs), for a human. */
    public List<String> problems() {
      return List.copyOf(problems);
    }

    JsonObject json() {
      JsonObject o = new JsonObject();
      o.addProperty("cases", cases);
      o.addProperty("crashes", crashes);
      o.addProperty("hangs", hangs);
      o.addProperty("leaks", count(FuzzOutcome.LEAK));
      o.addProperty("untidy", count(FuzzOutcome.UNTIDY));
      o.addProperty("childJvms", children);
      JsonObject targets = new JsonObject();
      byTarget.forEach((t, m) -> {
        JsonObject counts = new JsonObject();
        m.forEach(counts::addProperty);
        targets.add(t, counts);
      });
      o.add("byTarget", targets);
      JsonObject kinds = new JsonObject();
      byKind.forEach(kinds::addProperty);
      o.add("byMutation", kinds);
      JsonArray p = new JsonArray();
      problems.forEach(p::add);
      o.add("problems", p);
      JsonArray r = new JsonArray();
      samples.forEach(r::add);
      o.add("refusalSamples", r);
      return o;
    }
  }

  /** Both families' tallies. */
  public record Report(Config config, Tally tflite, Tally savedModel, double seconds) {
    public JsonObject json() {
      JsonObject o = new JsonObject();
      o.addProperty("seed", config.seed());
      o.addProperty("timeoutMs", config.timeoutMs());
      o.addProperty("seconds", Math.round(seconds * 10) / 10.0);
      o.add("tflite", tflite.json());
      o.add("savedModel", savedModel.json());
      return o;
    }
  }

  private static final int MAX_PROBLEMS = 40;
  private static final int MAX_SAMPLES = 12;

  private Fuzz() {}

  /** Runs every case; {@code progress} hears a line per child JVM. */
  public static Report run(Config config, Consumer<String> progress) {
    long t0 = System.nanoTime();
    Path work;
    try {
      work = Files.createTempDirectory("compresso-fuzz");
    } catch (IOException e) {
      throw CompressoException.internal("cannot create a temp folder: " + e.getMessage(), e);
    }
    try {
      Tally t = family(FuzzCase.Family.TFLITE, config.tfliteSeeds(), config.tfliteCases(), config, work, progress);
      Tally s = family(FuzzCase.Family.SAVED_MODEL, config.savedModelSeeds(), config.savedModelCases(), config, work,
          progress);
      return new Report(config, t, s, (System.nanoTime() - t0) / 1e9);
    } finally {
      try {
        AtomicOutput.deleteTree(work);
      } catch (IOException ignored) {
        // a temp folder left behind
      }
    }
  }

  private static Tally family(FuzzCase.Family family, List<Path> seeds, int cases, Config config, Path work,
      Consumer<String> progress) {
    Tally tally = new Tally();
    int next = 0;
    int startFailures = 0;
    while (next < cases) {
      Path results = work.resolve(family + "-" + next + ".results");
      List<String> args = new ArrayList<>(List.of(results.toString(), work.resolve("child").toString(),
          family.name(), Long.toString(config.seed()), Integer.toString(next), Integer.toString(cases),
          Long.toString(config.timeoutMs()), sabotage(config)));
      seeds.forEach(p -> args.add(p.toAbsolutePath().toString()));
      tally.children++;
      int exit;
      String stderr = "";
      // Backstop for a child whose watchdog itself cannot run: every remaining case at the per-case bound.
      long budget = 60 + (cases - next) * (config.timeoutMs() / 1000 + 1);
      try {
        ChildJvm.Outcome o = ChildJvm.run("fuzz " + family + " from case " + next, FuzzChild.class.getName(), args,
            budget, null);
        exit = o.exit();
        stderr = o.stderr();
      } catch (CompressoException e) {
        exit = 124;
      }
      int unfinished = read(results, tally);
      progress.accept(family + ": child " + tally.children + " from case " + next + " exit " + exit
          + ChildJvm.signal(exit) + ", " + tally.cases + " cases done");
      if (unfinished < 0) {
        if (exit != 0) {
          if (tally.cases == next && ++startFailures > 2) {
            throw CompressoException.internal("the fuzz child JVM fails to start: exit " + exit + ": "
                + ChildJvm.lastLines(stderr, 3), null);
          }
          problem(tally, "child exited " + exit + " between cases: " + ChildJvm.lastLines(stderr, 2));
        }
        next = tally.cases;
        continue;
      }
      // The child died inside case `unfinished`: a hang if the watchdog said so or time ran out, else a crash.
      if (exit == 124 || hung(results, unfinished)) {
        tally.hangs++;
        problem(tally, "hang in case " + unfinished);
      } else {
        tally.crashes++;
        problem(tally, "crash in case " + unfinished + ": exit " + exit + ChildJvm.signal(exit) + ": "
            + ChildJvm.lastLines(stderr, 2));
      }
      tally.cases++;
      next = unfinished + 1;
    }
    return tally;
  }

  private static String sabotage(Config config) {
    if (config.sabotage().isEmpty()) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    config.sabotage().forEach((i, what) -> b.append(b.length() == 0 ? "" : ",").append(i).append(':').append(what));
    return b.toString();
  }

  /** Folds a results file into the tally; returns the case that started and never ended, or -1. */
  private static int read(Path results, Tally tally) {
    List<String> lines;
    try {
      lines = Files.exists(results) ? Files.readAllLines(results, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw CompressoException.internal("cannot read " + results + ": " + e.getMessage(), e);
    }
    int open = -1;
    for (String line : lines) {
      String[] w = line.split(" ");
      switch (w[0]) {
        case "start" -> open = Integer.parseInt(w[1]);
        case "end" -> {
          open = -1;
          tally.cases++;
          tally.byKind.merge(w[2], 1, Integer::sum);
          for (int i = 3; i < w.length; i++) {
            int eq = w[i].indexOf('=');
            if (eq > 0 && !w[i].startsWith("len=")) {
              tally.byTarget.computeIfAbsent(w[i].substring(0, eq), k -> new TreeMap<>())
                  .merge(w[i].substring(eq + 1), 1, Integer::sum);
            }
          }
        }
        case "leak", "untidy" -> problem(tally, line);
        case "refused" -> {
          if (tally.samples.size() < MAX_SAMPLES) {
            tally.samples.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
          }
        }
        default -> {
          // "hang" and "done" are read by hung() and the exit status
        }
      }
    }
    return open;
  }

  private static boolean hung(Path results, int index) {
    try {
      return Files.readAllLines(results, StandardCharsets.UTF_8).contains("hang " + index);
    } catch (IOException e) {
      return false;
    }
  }

  private static void problem(Tally tally, String line) {
    if (tally.problems.size() < MAX_PROBLEMS) {
      tally.problems.add(line.length() > 400 ? line.substring(0, 400) + "..." : line);
    }
  }

  public static void main(String[] argv) {
    List<Path> tflite = new ArrayList<>();
    List<Path> savedModels = new ArrayList<>();
    int tfliteCases = 2000;
    int savedModelCases = 600;
    long seed = 1;
    long timeoutMs = TIMEOUT_MS_DEFAULT;
    for (int i = 0; i + 1 < argv.length; i += 2) {
      String v = argv[i + 1];
      switch (argv[i]) {
        case "--tflite" -> List.of(v.split(",")).forEach(s -> tflite.add(Path.of(s)));
        case "--savedmodel" -> List.of(v.split(",")).forEach(s -> savedModels.add(Path.of(s)));
        case "--tflite-cases" -> tfliteCases = Integer.parseInt(v);
        case "--savedmodel-cases" -> savedModelCases = Integer.parseInt(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--timeout-ms" -> timeoutMs = Long.parseLong(v);
        default -> {
          System.err.println("Fuzz: unknown option " + argv[i]);
          System.exit(2);
        }
      }
    }
    Report r = run(new Config(tflite, savedModels, tflite.isEmpty() ? 0 : tfliteCases,
        savedModels.isEmpty() ? 0 : savedModelCases, seed, timeoutMs, Map.of()), System.err::println);
    System.out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(r.json()));
    boolean clean = r.tflite().crashes() + r.tflite().hangs() + r.tflite().count(FuzzOutcome.LEAK)
        + r.savedModel().crashes() + r.savedModel().hangs() + r.savedModel().count(FuzzOutcome.LEAK) == 0;
    System.exit(clean ? 0 : 1);
  }
}
