package dev.compresso.compress;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import dev.compresso.io.AtomicOutput;
import dev.compresso.sweep.BaselineRow;
import dev.compresso.sweep.Cell;
import dev.compresso.sweep.SweepConfig;
import dev.compresso.sweep.SweepData;
import dev.compresso.sweep.SweepResults;
import dev.compresso.sweep.SweepRow;
import dev.compresso.sweep.Variant;
import dev.compresso.tflite.convert.Precision;
import dev.compresso.train.metric.Metrics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The search strategy of {@code compresso compress}: orders candidate recipes cheapest first, runs them in
 * rounds of sweep cells ({@link Rounds}) and judges each ({@link Judgement}).
 *
 * <ol>
 *   <li>{@code r1-ptq}: the dense model converted post-training, every precision the target takes (Edge
 *       TPU: int8 with integer I/O; CPU: fp32, fp16, dynamic, int8, int16x8), calibrated int8 also after each
 *       of the PTQ method combinations ({@link CompressConfig#ptq}; skipped, noted, when the data are too few
 *       for a method). Its dense cell's reference is
 *       the source model, measured on the same held-out samples: the quality the budget is relative to.
 *       A model whose int8 conversion leaves some op off the Edge TPU cannot meet that target at all
 *       (pruning and clustering change weights, not ops): the search stops there, naming the op.
 *   <li>{@code r2-keepfloat}: on the CPU target, when calibrated int8 missed the budget: int8 with the
 *       most harmful layer {@code diagnose} finds kept in float, then the two most harmful ({@link
 *       KeepFloatCandidates}; the diagnosis and the harm read training samples only). A keep-float variant within budget is one of the
 *       conversions later rounds may stack on pruned models.
 *   <li>{@code rN-prune ...}: a bracket search for the largest unstructured sparsity within budget; each
 *       round probes {@code workers} sparsities evenly spaced inside the bracket (one per worker), then the
 *       bracket closes on the largest passing and the smallest failing one (bisection with one worker).
 *       Pruned cells convert with the post-training precisions that kept the dense model within budget
 *       (the two best on the objective), plus int8 with QAT ranges when int8 calibration missed.
 *   <li>{@code rN-2_4}: 2:4 sparsity, when latency is the objective or the bracket ended below 50% (for
 *       size a 2:4 model is never smaller than an unstructured one at the same or higher sparsity).
 *   <li>{@code rN-channel}: channel pruning of 25% and 50% of each layer's filters, the pruned filters then
 *       removed ({@code prune --shrink}): a smaller graph, so fewer MACs as well as fewer bytes. Tried under
 *       the same rule as 2:4 (for size, half the filters cannot beat unstructured sparsity of 50% or more).
 *   <li>{@code rN-cluster}: the best sparsity clustered ({@code --clusters}, zeros kept).
 *   <li>{@code rN-qat}: when no int8 candidate is within budget yet on a target that takes int8, QAT on
 *       the best pruned (and clustered) model: prune, cluster, QAT stacked.
 * </ol>
 *
 * <p>{@code --time-budget} holds before and inside every round after the first: no round starts once it is
 * spent, and a round's workers start no further cell after it (a cell already running finishes; cells are
 * the unit of work); the search stops with the best candidate so far and the report names the round cut
 * short. The first round always finishes: it measures the source model the budget is relative to.
 */
public final class CompressSearch {

  private CompressSearch() {}

  /**
   * What a search found.
   *
   * @param config what it ran
   * @param inputs the fingerprint of its model and data
   * @param source the source model's quality on the held-out samples
   * @param candidates every candidate judged, in the order the search ran them
   * @param winner the output, or null when no candidate is within budget
   * @param closest when there is no winner: the candidate the target takes that lost least (or null)
   * @param impossible why the target cannot run the model at all (the op), or null
   * @param stoppedByTime whether {@code --time-budget} ended the search
   * @param elapsed wall time of this run
   * @param notes what else the report should say (failed cells, skipped rounds)
   */
  public record Outcome(CompressConfig config, Fingerprint inputs, Budget.Quality source, List<Judgement> candidates,
      Judgement winner, Judgement closest, String impossible, boolean stoppedByTime, Duration elapsed,
      List<String> notes) {

    /** The winner's recipe. */
    public Recipe recipe() {
      return winner == null ? null : winner.recipe();
    }
  }

  /** Runs (or resumes) the search of {@code c}. */
  public static Outcome run(CompressConfig c, PrintStream log) {
    long start = System.nanoTime();
    HeldOutData data = HeldOutData.prepare(c.model(), c.data(), c.testData(), c.training(), c.out(), null);
    claim(c, data.inputs());
    int judging = Math.min(c.samples(), data.heldOutSize());
    log.printf(Locale.ROOT, "compress: %s for %s, %s; %d held-out samples judge every candidate (%s%s)%n",
        c.model(), c.target().cliName(), c.budget().describe(), judging, data.heldOut(),
        judging < data.heldOutSize() ? ": the first " + judging + " of its " + data.heldOutSize() + ", --samples" : "");
    Rounds rounds = new Rounds(c, data, log);
    List<String> notes = new ArrayList<>();
    Map<String, Judgement> judged = new LinkedHashMap<>();

    String r1 = "r1-ptq";
    SweepConfig r1Config = rounds.config(r1, List.of(0.0), Cell.UNSTRUCTURED, List.of(),
        c.target().postTraining(c.io(), c.ptq()));
    String tooFew = SweepData.ptqShortfall(r1Config);
    if (tooFew != null) {
      notes.add("int8 with PTQ methods not tried: " + tooFew);
      log.println("compress: " + notes.get(notes.size() - 1));
      r1Config = rounds.config(r1, List.of(0.0), Cell.UNSTRUCTURED, List.of(), c.target().postTraining(c.io()));
    }
    SweepResults first = rounds.run(r1Config);
    Budget.Quality source = sourceQuality(first);
    judge(first, r1, source, c, data, judged, notes);
    log.printf(Locale.ROOT, "compress: source model on the held-out samples: %s %.6f, %s %.6f%n", source.metricName(),
        source.metric(), source.lossName(), source.loss());

    String impossible = impossible(c, judged.values());
    boolean stopped = false;
    if (impossible == null) {
      stopped = fineTune(c, rounds, source, data, judged, notes, start, log);
    }
    List<Judgement> all = finish(new ArrayList<>(judged.values()), c.objective());
    Judgement winner = all.stream().filter(j -> j.verdict() == Judgement.Verdict.WINNER).findFirst().orElse(null);
    Judgement closest = null;
    if (winner == null) {
      closest = all.stream().filter(j -> j.verdict() == Judgement.Verdict.OVER_BUDGET && !Double.isNaN(j.lost()))
          .min(Comparator.comparingDouble(Judgement::lost)).orElse(null);
    }
    return new Outcome(c, data.inputs(), source, all, winner, closest, impossible, stopped,
        Duration.ofNanos(System.nanoTime() - start), notes);
  }

  /** The file that records what search a folder holds. */
  static final String SEARCH_FILE = "search.json";

  /**
   * Records the search in {@code OUT/search.json}, or checks that the folder holds this same search (the
   * same inputs and every setting that decides its rounds; {@code --workers} and {@code --time-budget} may
   * change between runs), so that a rerun resumes and a different search is refused up front.
   */
  static void claim(CompressConfig c, Fingerprint inputs) {
    JsonObject o = new JsonObject();
    o.add("inputs", inputs.toJson());
    o.addProperty("model_sha256", inputs.modelSha256());
    o.addProperty("target", c.target().cliName());
    o.addProperty("budget", c.budget().describe());
    o.addProperty("objective", c.objective().cliName());
    o.addProperty("io", c.io().cliName());
    o.addProperty("runs", c.runs());
    o.addProperty("bracket_rounds", c.bracketRounds());
    o.addProperty("max_sparsity", c.maxSparsity());
    o.addProperty("clusters", c.clusters().toString());
    o.addProperty("ptq", String.join(",", c.ptq()));
    o.add("training", c.training().toJson());
    Path file = c.out().resolve(SEARCH_FILE);
    String text = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
    if (Files.exists(file)) {
      JsonObject before;
      try {
        before = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      } catch (IOException | RuntimeException e) {
        throw new BadInputException(file + " is not a compress search record: " + e.getMessage(), e);
      }
      before.remove("inputs");
      if (!before.has("ptq")) {
        before.addProperty("ptq", "");  // a search from before r1 tried PTQ methods: as --ptq none
      }
      JsonObject now = o.deepCopy();
      now.remove("inputs");
      if (!before.equals(now)) {
        List<String> diff = new ArrayList<>();
        for (String k : now.keySet()) {
          if (!now.get(k).equals(before.get(k))) {
            diff.add(k + " " + before.get(k) + " there, " + now.get(k) + " now");
          }
        }
        throw new BadInputException(c.out() + " holds another search (" + String.join("; ", diff) + "); choose "
            + "another --out, or delete the folder to start afresh"
            + (before.get("ptq").getAsString().isEmpty() && !now.get("ptq").getAsString().isEmpty()
                ? " (or give --ptq none to resume a search without PTQ candidates)" : ""));
      }
      return;
    }
    AtomicOutput.writeFile(file, text);
  }

  /** The fine-tuned rounds (and the CPU's keep-float round); returns whether the time budget stopped them. */
  private static boolean fineTune(CompressConfig c, Rounds rounds, Budget.Quality source, HeldOutData data,
      Map<String, Judgement> judged, List<String> notes, long start, PrintStream log) {
    java.time.Instant deadline = c.timeBudget() == null ? null
        : java.time.Instant.now().plusNanos(c.timeBudget().toNanos() - (System.nanoTime() - start));
    RoundRunner run = (name, config) -> {
      if (overTime(c, start, log)) {
        return null;
      }
      SweepResults r = rounds.run(config, deadline);
      judge(r, name, source, c, data, judged, notes);
      if (!r.complete() && r.failed().isEmpty() && overTime(c, start, log)) {
        notes.add(String.format(Locale.ROOT, "round %s stopped by --time-budget %s: %d of %d cells done, the others "
            + "not started", name, CompressConfig.describe(c.timeBudget()), r.done(), r.plan().cells().size()));
        return null;
      }
      return r;
    };
    int n = 2;
    if (c.target() == Target.CPU && !int8Admissible(judged.values())) {
      List<Variant> kf = keepFloatVariants(c, rounds, judged.values(), notes, log);
      if (!kf.isEmpty()) {
        String name = "r" + n++ + "-keepfloat";
        if (run.round(name, rounds.config(name, List.of(0.0), Cell.UNSTRUCTURED, List.of(), kf)) == null) {
          return true;
        }
      }
    }
    List<Variant> variants = fineTuneVariants(c, judged.values());
    double lo = 0;
    double hi = 1;
    for (int round = 1; round <= c.bracketRounds(); round++) {
      List<Double> probes = probes(lo, hi, c.workers(), c.maxSparsity());
      if (probes.isEmpty()) {
        break;
      }
      String name = "r" + n++ + "-prune";
      SweepResults r = run.round(name, rounds.config(name, probes, Cell.UNSTRUCTURED, List.of(), variants));
      if (r == null) {
        return true;
      }
      if (allFailed(r, name, notes)) {
        return false;
      }
      for (double p : probes) {
        boolean pass = judged.values().stream().anyMatch(j -> j.admissible() && j.recipe().sparsity() == p
            && j.recipe().granularity().equals(Cell.UNSTRUCTURED) && j.recipe().clusters() == 0);
        if (pass) {
          lo = Math.max(lo, p);
        } else if (p > lo) {
          hi = Math.min(hi, p);
        }
      }
      log.printf(Locale.ROOT, "compress: sparsity bracket now [%.2f, %.2f)%n", lo, hi);
    }
    double best = lo;
    List<Variant> plain = variants.stream().filter(v -> !v.qat()).toList();
    if (c.objective() == Objective.LATENCY || best < 0.5) {
      String name = "r" + n++ + "-2_4";
      if (run.round(name, rounds.config(name, List.of(0.5), "2:4", List.of(), variants)) == null) {
        return true;
      }
    } else {
      notes.add(String.format(Locale.ROOT, "2:4 sparsity not tried: for size it cannot beat unstructured %.0f%%, "
          + "which is within budget", best * 100));
    }
    List<Variant> channelVariants = variants.stream().filter(v -> v.keepFloat().isEmpty()).toList();
    if (c.objective() == Objective.LATENCY || best < 0.5) {
      String name = "r" + n++ + "-channel";
      if (run.round(name, rounds.config(name, CHANNEL_RATIOS, "channel", List.of(), channelVariants)) == null) {
        return true;
      }
    } else {
      notes.add(String.format(Locale.ROOT, "channel pruning not tried: for size, removing %s of the filters cannot "
          + "beat unstructured %.0f%%, which is within budget", CHANNEL_RATIOS, best * 100));
    }
    if (!c.clusters().isEmpty() && !plain.isEmpty()) {
      String name = "r" + n++ + "-cluster";
      if (run.round(name, rounds.config(name, List.of(best), Cell.UNSTRUCTURED, c.clusters(), plain)) == null) {
        return true;
      }
    }
    boolean qatTried = variants.stream().anyMatch(Variant::qat);
    if (!int8Admissible(judged.values()) && !qatTried) {
      Judgement top = finish(new ArrayList<>(judged.values()), c.objective()).stream()
          .filter(j -> j.verdict() == Judgement.Verdict.WINNER).findFirst().orElse(null);
      int k = top == null ? 0 : top.recipe().clusters();
      String name = "r" + n + "-qat";
      if (run.round(name, rounds.config(name, List.of(best), Cell.UNSTRUCTURED, k > 0 ? List.of(k) : List.of(),
          List.of(c.target().qat(c.io())))) == null) {
        return true;
      }
    }
    return false;
  }

  /** The fractions of filters the channel-pruning round removes (each cell shrinks the graph). */
  static final List<Double> CHANNEL_RATIOS = List.of(0.25, 0.5);

  /** Runs and judges one round; null when {@code --time-budget} was spent before or during it. */
  @FunctionalInterface
  private interface RoundRunner {
    SweepResults round(String name, dev.compresso.sweep.SweepConfig config);
  }

  private static boolean int8Admissible(java.util.Collection<Judgement> judged) {
    return judged.stream().anyMatch(j -> j.admissible() && j.recipe().precision() == Precision.INT8);
  }

  /**
   * The keep-float conversions of the dense model a CPU search tries when calibrated int8 misses the budget:
   * int8 with the most harmful layer in float, then the two most harmful ({@link KeepFloatCandidates}), as
   * the dense int8 file's diagnosis and measured harm on training samples order them. Empty (noted) when there is no int8 file or no layer the
   * float-layer pass can run in float.
   */
  private static List<Variant> keepFloatVariants(CompressConfig c, Rounds rounds,
      java.util.Collection<Judgement> dense, List<String> notes, PrintStream log) {
    Judgement int8 = dense.stream().filter(j -> j.recipe().precision() == Precision.INT8 && !j.recipe().qat()
        && j.recipe().sparsity() == 0 && j.recipe().keepFloat().isEmpty()).findFirst().orElse(null);
    if (int8 == null || !Files.isRegularFile(int8.file())) {
      return List.of();
    }
    dev.compresso.sweep.SweepData d = dev.compresso.sweep.SweepData.of(
        rounds.config("r1-ptq", List.of(0.0), Cell.UNSTRUCTURED, List.of(), List.of(int8.recipe().variant())));
    List<java.util.Set<String>> sets;
    try {
      sets = KeepFloatCandidates.of(int8.file(), c.model(), d.train().head(
          Math.min(KeepFloatCandidates.SAMPLES, d.train().size())), KeepFloatCandidates.MAX);
    } catch (RuntimeException e) {
      notes.add("keep-float candidates not tried: the int8 model's diagnosis failed: " + e.getMessage());
      return List.of();
    }
    if (sets.isEmpty()) {
      notes.add("keep-float candidates not tried: the diagnosis ranks no layer that can run in float");
      return List.of();
    }
    log.println("compress: int8 misses the budget; keep-float candidates (the most harmful layers diagnose finds): " + sets);
    return sets.stream().map(s -> int8.recipe().variant().withKeepFloat(s)).toList();
  }

  /**
   * Whether every model cell of a fine-tuning round failed: the next rounds fine-tune the same way on the
   * same data and would fail alike, so the search stops fine-tuning (noted) and keeps what it has.
   */
  private static boolean allFailed(SweepResults r, String round, List<String> notes) {
    if (!r.rows().isEmpty() || r.failed().isEmpty()) {
      return false;
    }
    notes.add("fine-tuned candidates stopped after " + round + ": every cell of it failed (above); later rounds "
        + "fine-tune the same way");
    return true;
  }

  /**
   * The sparsities one bracket round probes: {@code workers} evenly spaced strictly inside (lo, hi), at two
   * decimals, at most {@code max}.
   */
  static List<Double> probes(double lo, double hi, int workers, double max) {
    TreeSet<Double> p = new TreeSet<>();
    for (int i = 1; i <= workers; i++) {
      double s = Math.min(max, Math.round((lo + (hi - lo) * i / (workers + 1)) * 100) / 100.0);
      if (s > lo + 1e-9 && s < hi - 1e-9) {
        p.add(s);
      }
    }
    return new ArrayList<>(p);
  }

  /**
   * The conversions pruned cells make: the post-training ones within budget on the dense model, the two
   * best on the objective; plus int8 with QAT ranges when the target takes int8 and calibrated int8 missed.
   */
  static List<Variant> fineTuneVariants(CompressConfig c, java.util.Collection<Judgement> dense) {
    Objective o = c.objective();
    List<Variant> v = new ArrayList<>(dense.stream().filter(Judgement::admissible)
        .sorted(Comparator.comparingDouble(o::of)).limit(2).map(j -> j.recipe().variant()).toList());
    boolean int8Passed = v.stream().anyMatch(x -> x.precision() == Precision.INT8);
    if (!int8Passed) {
      v.add(c.target().qat(c.io()));
    }
    if (v.stream().noneMatch(x -> !x.qat())) {
      v.add(0, c.target().postTraining(c.io()).get(0));
    }
    return v;
  }

  private static boolean overTime(CompressConfig c, long start, PrintStream log) {
    if (c.timeBudget() == null) {
      return false;
    }
    Duration spent = Duration.ofNanos(System.nanoTime() - start);
    if (spent.compareTo(c.timeBudget()) < 0) {
      return false;
    }
    log.println("compress: --time-budget " + CompressConfig.describe(c.timeBudget()) + " spent (" + spent.toSeconds() + " s): stopping with "
        + "the best candidate so far");
    return true;
  }

  /** Why the target cannot run the model at all, or null. */
  static String impossible(CompressConfig c, java.util.Collection<Judgement> dense) {
    if (c.target() != Target.EDGETPU) {
      return null;
    }
    return dense.stream().filter(j -> j.recipe().precision() == Precision.INT8 && !(j.edgeTpuOpShare() >= 1.0))
        .map(j -> "the int8 model does not map wholly to the Edge TPU, whatever it is pruned or clustered to: "
            + j.edgeTpuVerdict())
        .findFirst().orElse(null);
  }

  /**
   * The source model's quality on the held-out samples: the round's baseline cell, which serves the source
   * SavedModel in TF Java on the same samples every candidate is judged on.
   */
  static Budget.Quality sourceQuality(SweepResults r) {
    BaselineRow b = r.baseline();
    if (b == null) {
      throw new BadInputException("the source model could not be measured on the held-out samples: "
          + String.join("; ", r.failed()));
    }
    return new Budget.Quality(b.metric(), b.metricName(), Metrics.byName(b.metricName()).higherIsBetter(), b.loss(),
        b.lossName());
  }

  /** Judges every row of a round against the budget and the target; provisional until {@link #finish}. */
  static void judge(SweepResults r, String round, Budget.Quality source, CompressConfig c, HeldOutData data,
      Map<String, Judgement> judged, List<String> notes) {
    for (String f : r.failed()) {
      notes.add("round " + round + ": " + f);
    }
    for (SweepRow row : r.rows()) {
      Variant v = row.variant();
      Cell cell = Cell.model(0, row.sparsity(), row.granularity(), row.clusters());
      String key = cell.id() + "/" + v.stem();
      if (judged.containsKey(key)) {
        continue;
      }
      Recipe recipe = Recipe.of(cell, v, c.training(), data.inputs(), c.target(), c.budget());
      Budget.Quality q = new Budget.Quality(row.metric(), row.metricName(), source.higherIsBetter(), row.loss(),
          row.lossName());
      double lost = c.budget().lost(source, q);
      String refusal = c.target().refusal(recipe, row.edgeTpuOpShare(), row.edgeTpu());
      Judgement.Verdict verdict;
      String reason;
      if (refusal != null) {
        verdict = Judgement.Verdict.TARGET_REFUSED;
        reason = refusal;
      } else if (!c.budget().admits(lost)) {
        verdict = Judgement.Verdict.OVER_BUDGET;
        reason = Double.isNaN(lost) ? "its quality is NaN" : String.format(Locale.ROOT, "over budget by %s (%s %s > %s)",
            Budget.round(lost - c.budget().amount()), c.budget().kind().words(), Budget.round(lost), c.budget().amount());
      } else {
        verdict = Judgement.Verdict.BEATEN;
        reason = "";
      }
      Path file = r.config().cellDir(cell).resolve(v.stem() + ".tflite");
      judged.put(key, new Judgement(round, cell.id(), recipe, file, q, lost, row.tfliteBytes(), row.gzipBytes(),
          row.latencyMs1(), row.edgeTpuOpShare(), row.edgeTpu(), verdict, reason));
    }
  }

  /** Picks the winner (best on the objective among the admissible; the earlier, cheaper one on a tie). */
  static List<Judgement> finish(List<Judgement> all, Objective o) {
    Judgement winner = all.stream().filter(Judgement::admissible).min(Comparator.comparingDouble(o::of)).orElse(null);
    List<Judgement> out = new ArrayList<>();
    for (Judgement j : all) {
      if (j == winner) {
        out.add(j.with(Judgement.Verdict.WINNER, "best " + o.cliName() + " within budget"));
      } else if (j.admissible()) {
        out.add(j.with(Judgement.Verdict.BEATEN, o == Objective.SIZE
            ? String.format(Locale.ROOT, "larger than the winner (gzip %,d vs %,d bytes)", j.gzipBytes(),
                winner.gzipBytes())
            : String.format(Locale.ROOT, "slower than the winner (%.3f vs %.3f ms)", j.latencyMs(), winner.latencyMs())));
      } else {
        out.add(j);
      }
    }
    return out;
  }
}
