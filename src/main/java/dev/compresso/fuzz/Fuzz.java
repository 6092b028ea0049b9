package dev.compresso.fuzz;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.compresso.CompressoException;
import dev.compresso.validate.ChildJvm;
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
 * [--savedmodel-cases N] [--format-cases N] [--resources DIR] [--seed S] [--timeout-ms T] [--max-seconds S]
 * [--parallel P]}; prints one JSON
 * document. {@code --format-cases N} runs N cases of each data and Keras family ({@link FormatDamage}) on the seeds
 * under {@code DIR} (default {@code src/test/resources}, {@link #formatSeeds}). {@code Fuzz write FAMILY SEED INDEX
 * DIR} writes one such case into {@code DIR}, to reproduce it by hand.
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
      long seed, long timeoutMs, Map<Integer, String> sabotage, Map<FuzzCase.Family, List<Path>> formatSeeds,
      Map<FuzzCase.Family, Integer> formatCases, long maxSeconds, int parallel) {

    /** The .tflite and SavedModel families only. */
    public Config(List<Path> tfliteSeeds, List<Path> savedModelSeeds, int tfliteCases, int savedModelCases,
        long seed, long timeoutMs, Map<Integer, String> sabotage) {
      this(tfliteSeeds, savedModelSeeds, tfliteCases, savedModelCases, seed, timeoutMs, sabotage, Map.of(), Map.of(),
          0, 1);
    }

    public Config {
      sabotage = Map.copyOf(sabotage);
      formatSeeds = new TreeMap<>(formatSeeds);
      formatCases = new TreeMap<>(formatCases);
      for (Map.Entry<FuzzCase.Family, Integer> e : formatCases.entrySet()) {
        if (e.getValue() < 0 || e.getValue() > 0 && formatSeeds.getOrDefault(e.getKey(), List.of()).isEmpty()) {
          throw new IllegalArgumentException(e.getKey() + ": " + e.getValue() + " cases without seed files");
        }
      }
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
    long maxRssKb = -1;
    long caseMs;
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

    /** The largest peak resident set size of one case, KiB (-1 where not measured). */
    public long maxRssKb() {
      return maxRssKb;
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
      if (maxRssKb >= 0) {
        o.addProperty("maxCaseRssMiB", Math.round(maxRssKb / 102.4) / 10.0);
        o.addProperty("meanCaseMs", cases == 0 ? 0 : caseMs / cases);
      }
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

  /** Every family's tally. */
  public record Report(Config config, Tally tflite, Tally savedModel, Map<FuzzCase.Family, Tally> formats,
      double seconds) {
    public JsonObject json() {
      JsonObject o = new JsonObject();
      o.addProperty("seed", config.seed());
      o.addProperty("timeoutMs", config.timeoutMs());
      o.addProperty("seconds", Math.round(seconds * 10) / 10.0);
      o.addProperty("formatChildHeap", FORMAT_CHILD_HEAP);
      int cases = 0;
      int bad = 0;
      long rss = -1;
      for (Tally t : all()) {
        cases += t.cases;
        bad += t.crashes + t.hangs + t.count(FuzzOutcome.LEAK) + t.count(FuzzOutcome.UNTIDY);
        rss = Math.max(rss, t.maxRssKb);
      }
      o.addProperty("cases", cases);
      o.addProperty("crashesHangsLeaksUntidy", bad);
      if (rss >= 0) {
        o.addProperty("maxCaseRssMiB", Math.round(rss / 102.4) / 10.0);
      }
      o.add("tflite", tflite.json());
      o.add("savedModel", savedModel.json());
      formats.forEach((f, t) -> o.add(f.name().toLowerCase(java.util.Locale.ROOT), t.json()));
      return o;
    }

    /** Every family's tally, .tflite and SavedModel first. */
    public List<Tally> all() {
      List<Tally> a = new ArrayList<>(List.of(tflite, savedModel));
      a.addAll(formats.values());
      return a;
    }
  }

  /** The heap of the child JVMs that read the data and Keras formats: the memory bound they must hold. */
  public static final String FORMAT_CHILD_HEAP = "-Xmx256m";

  private static final int MAX_PROBLEMS = 40;
  private static final java.util.concurrent.atomic.AtomicLong START = new java.util.concurrent.atomic.AtomicLong();
  private static final int MAX_SAMPLES = 12;

  private Fuzz() {}

  /** Runs every case; {@code progress} hears a line per child JVM. */
  public static Report run(Config config, Consumer<String> progress) {
    long t0 = System.nanoTime();
    START.set(System.currentTimeMillis());
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
      Map<FuzzCase.Family, Tally> done = new java.util.concurrent.ConcurrentSkipListMap<>();
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
          Math.max(1, config.parallel()));
      List<java.util.concurrent.Future<?>> running = new ArrayList<>();
      config.formatCases().forEach((f, n) -> {
        if (n > 0) {
          running.add(pool.submit(() -> done.put(f, family(f, config.formatSeeds().get(f), n, config, work,
              progress))));
        }
      });
      pool.shutdown();
      for (java.util.concurrent.Future<?> future : running) {
        try {
          future.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw CompressoException.internal("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof RuntimeException re ? re : CompressoException.internal(
              String.valueOf(e.getCause()), e.getCause());
        }
      }
      Map<FuzzCase.Family, Tally> formats = new TreeMap<>(done);
      return new Report(config, t, s, formats, (System.nanoTime() - t0) / 1e9);
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
    long deadline = config.maxSeconds() > 0 ? START.get() + config.maxSeconds() * 1000 : 0;
    while (next < cases && (deadline == 0 || System.currentTimeMillis() < deadline)) {
      Path results = work.resolve(family + "-" + next + ".results");
      List<String> args = new ArrayList<>(List.of(results.toString(), work.resolve("child").toString(),
          family.name(), Long.toString(config.seed()), Integer.toString(next), Integer.toString(cases),
          Long.toString(config.timeoutMs()), sabotage(config), Long.toString(deadline)));
      seeds.forEach(p -> args.add(p.toAbsolutePath().toString()));
      Path childWork = work.resolve("child-" + family);
      args.set(1, childWork.toString());
      tally.children++;
      int exit;
      String stderr = "";
      // Backstop for a child whose watchdog itself cannot run: every remaining case at the per-case bound.
      long budget = 60 + (cases - next) * (config.timeoutMs() / 1000 + 1);
      try {
        List<String> jvm = family.ordinal() > FuzzCase.Family.SAVED_MODEL.ordinal() ? List.of(FORMAT_CHILD_HEAP)
            : List.of();
        ChildJvm.Outcome o = ChildJvm.run("fuzz " + family + " from case " + next, jvm, FuzzChild.class.getName(),
            args, budget, null);
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
            if (w[i].startsWith("ms=")) {
              tally.caseMs += Long.parseLong(w[i].substring(3));
            } else if (w[i].startsWith("rssKb=")) {
              tally.maxRssKb = Math.max(tally.maxRssKb, Long.parseLong(w[i].substring(6)));
            } else if (eq > 0 && !w[i].startsWith("len=")) {
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

  public static void main(String[] argv) throws IOException {
    if (argv.length == 5 && argv[0].equals("write")) {
      // write FAMILY SEED INDEX DIR: lays out one data or Keras case, to reproduce it by hand
      FuzzCase.Family f = FuzzCase.Family.valueOf(argv[1]);
      DamagedInput d = FormatDamage.of(f, formatSeeds(Path.of("src/test/resources")).get(f), Long.parseLong(argv[2]),
          Integer.parseInt(argv[3]));
      System.out.println(d.mutation() + " " + d.seed() + " -> " + d.writeTo(Path.of(argv[4])));
      return;
    }
    List<Path> tflite = new ArrayList<>();
    List<Path> savedModels = new ArrayList<>();
    int tfliteCases = 2000;
    int savedModelCases = 600;
    long seed = 1;
    long timeoutMs = TIMEOUT_MS_DEFAULT;
    int formatCases = 0;
    long maxSeconds = 0;
    int parallel = 1;
    Path resources = Path.of("src/test/resources");
    for (int i = 0; i + 1 < argv.length; i += 2) {
      String v = argv[i + 1];
      switch (argv[i]) {
        case "--tflite" -> List.of(v.split(",")).forEach(s -> tflite.add(Path.of(s)));
        case "--savedmodel" -> List.of(v.split(",")).forEach(s -> savedModels.add(Path.of(s)));
        case "--tflite-cases" -> tfliteCases = Integer.parseInt(v);
        case "--savedmodel-cases" -> savedModelCases = Integer.parseInt(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--timeout-ms" -> timeoutMs = Long.parseLong(v);
        case "--format-cases" -> formatCases = Integer.parseInt(v);
        case "--max-seconds" -> maxSeconds = Long.parseLong(v);
        case "--parallel" -> parallel = Integer.parseInt(v);
        case "--resources" -> resources = Path.of(v);
        default -> {
          System.err.println("Fuzz: unknown option " + argv[i]);
          System.exit(2);
        }
      }
    }
    Map<FuzzCase.Family, List<Path>> seeds = formatSeeds(resources);
    Map<FuzzCase.Family, Integer> cases = new TreeMap<>();
    for (FuzzCase.Family f : seeds.keySet()) {
      cases.put(f, formatCases);
    }
    Report r = run(new Config(tflite, savedModels, tflite.isEmpty() ? 0 : tfliteCases,
        savedModels.isEmpty() ? 0 : savedModelCases, seed, timeoutMs, Map.of(), seeds, cases, maxSeconds, parallel),
        System.err::println);
    System.out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(r.json()));
    boolean clean = r.all().stream().mapToInt(t -> t.crashes() + t.hangs() + t.count(FuzzOutcome.LEAK)).sum() == 0;
    System.exit(clean ? 0 : 1);
  }

  /** Keras fixtures the format fuzz damages: every supported one small enough to import in well under a second. */
  static final List<String> KERAS_SEEDS = List.of("dense", "dense_sequential", "conv2d", "conv1d", "nested", "norms",
      "shared", "merge_reshape", "activations");

  /**
   * The seeds of the data and Keras families under a test-resources folder: the Keras fixtures of
   * {@code fixtures/keras_files} ({@link #KERAS_SEEDS}, and {@code keras2_cnn.h5}/{@code fcn.h5} for .h5), and the
   * data of {@code fuzz/data} ({@code bench/MakeDataFuzzSeeds}).
   */
  public static Map<FuzzCase.Family, List<Path>> formatSeeds(Path resources) {
    Path keras = resources.resolve("fixtures/keras_files");
    Path data = resources.resolve("fuzz/data");
    Map<FuzzCase.Family, List<Path>> m = new TreeMap<>();
    m.put(FuzzCase.Family.KERAS, KERAS_SEEDS.stream().map(n -> keras.resolve(n + ".keras")).toList());
    List<Path> h5 = new ArrayList<>(KERAS_SEEDS.stream().map(n -> keras.resolve(n + ".h5")).toList());
    h5.add(keras.resolve("keras2_cnn.h5"));
    h5.add(keras.resolve("fcn.h5"));
    m.put(FuzzCase.Family.H5, h5);
    m.put(FuzzCase.Family.NPZ, List.of(data.resolve("cnn.npz"), data.resolve("cnn_compressed.npz")));
    List<Path> shards = List.of(data.resolve("cnn.tfrecord"), data.resolve("cnn_png.tfrecord"),
        data.resolve("cnn_jpeg.tfrecord"));
    m.put(FuzzCase.Family.TFRECORD, shards);
    m.put(FuzzCase.Family.TFRECORD_GZ, shards);
    m.put(FuzzCase.Family.IMAGES, List.of(data.resolve("cnn_images")));
    return m;
  }
}
