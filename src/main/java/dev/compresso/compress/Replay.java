package dev.compresso.compress;

import dev.compresso.sweep.SweepResults;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code compresso compress --recipe recipe.json}: makes the recipe's file again from the same model and
 * data, as rounds of the same sweep cells the search ran ({@code OUT/search/replay-ptq/}: the baseline and
 * the dense model; {@code replay-prune/}: the pruning of a pruned and clustered recipe; {@code replay/}: the
 * recipe's cell), trained with the
 * recipe's settings on the same split, and judges it against the recipe's budget and target on the same
 * held-out samples. Inputs whose fingerprint differs from the recipe's are refused before anything runs,
 * naming what differs (exit 2). The replayed file is the output whether or not it is within the budget
 * (the report says which).
 */
public final class Replay {

  private Replay() {}

  /** Replays {@code recipe} on {@code model} and {@code data} into {@code out}. */
  public static CompressSearch.Outcome run(Recipe recipe, Path model, String data, String testData, Path out,
      int workers, int runs, PrintStream log) {
    long start = System.nanoTime();
    Training t = recipe.training();
    CompressConfig c = CompressConfig.builder(model, data, recipe.target(), recipe.budget(), out).optTestData(testData)
        .optEpochs(t.epochs()).optQatEpochs(t.qatEpochs()).optBatch(t.batch()).optLearningRate(t.learningRate())
        .optQatLearningRate(t.qatLearningRate()).optHeldOut(t.heldOut()).optSeed(t.seed()).optSamples(t.samples())
        .optRuns(runs).optWorkers(workers).optIo(recipe.io() == dev.compresso.tflite.convert.IoType.FLOAT
            ? dev.compresso.tflite.convert.IoType.UINT8 : recipe.io()).build();
    HeldOutData held = HeldOutData.prepare(model, data, testData, t, out, recipe.inputs());
    Rounds rounds = new Rounds(c, held, log);
    String name = "replay";
    // The rounds mirror the search's: the baseline and the dense conversion first (as r1), then each
    // fine-tuning step first in a fresh worker process, taking the step before it from the previous round.
    // Observed on the bundled UNet: the same pruning cell gave other weights when the worker process had
    // measured the baseline (1 thread) before it; likely TensorFlow's process-wide thread pools, sized by
    // the first session a process opens, which fix the order of multi-threaded sums.
    if (recipe.sparsity() > 0 || recipe.clusters() > 0) {
      rounds.run(rounds.config("replay-ptq", List.of(0.0), dev.compresso.sweep.Cell.UNSTRUCTURED, List.of(),
          List.of(recipe.variant())));
    }
    if (recipe.clusters() > 0 && recipe.sparsity() > 0) {
      rounds.run(rounds.config("replay-prune", List.of(recipe.sparsity()), recipe.granularity(), List.of(),
          List.of(recipe.variant())));
    }
    SweepResults r = rounds.run(rounds.config(name, List.of(recipe.sparsity()), recipe.granularity(),
        recipe.clusters() > 0 ? List.of(recipe.clusters()) : List.of(), List.of(recipe.variant())));
    Budget.Quality source = CompressSearch.sourceQuality(r);
    Map<String, Judgement> judged = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    CompressSearch.judge(r, name, source, c, held, judged, notes);
    String want = recipe.cell(0).id();
    List<Judgement> mine = judged.values().stream().filter(j -> j.cell().equals(want)).toList();
    List<Judgement> all = CompressSearch.finish(new ArrayList<>(mine), c.objective());
    Judgement j = all.isEmpty() ? null : all.get(0);
    Judgement winner = j;
    Judgement closest = null;
    if (j == null) {
      notes.add("the recipe's cell " + want + " did not finish");
    }
    return new CompressSearch.Outcome(c, held.inputs(), source, all, winner, closest, null, false,
        Duration.ofNanos(System.nanoTime() - start), notes);
  }
}
