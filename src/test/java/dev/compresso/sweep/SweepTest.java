package dev.compresso.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.validate.ChildJvm;
import dev.compresso.bench.TinyUNets;
import dev.compresso.report.SweepReport;
import dev.compresso.tflite.convert.Precision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps of a tiny UNet end to end through worker processes: one worker, then two workers started at
 * once on one folder (as two hosts would be), then a worker killed with SIGKILL mid-cell and the cell
 * taken over by the next worker. The rows must agree (sizes, sparsities, losses; timings aside).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SweepTest {

  static final String DATA = "synthetic:shapes?n=40&size=32&seed=3";
  static final String TEST_DATA = "synthetic:shapes?n=6&size=32&seed=4";

  @TempDir static Path dir;
  private Path model;
  private SweepResults one;

  private SweepConfig config(Path out, List<Double> sparsities) {
    return SweepConfig.builder(model, DATA, out).optTestData(TEST_DATA).optSparsities(sparsities)
        .optPrecisions(List.of(Precision.FP32)).optEpochs(1).optBatch(8).optSamples(6).optRuns(3).optWarmup(1)
        .optThreads(1).build();
  }

  @BeforeAll
  void oneWorker() throws Exception {
    model = TinyUNets.export(dir.resolve("unet"), 32);
    one = Sweep.run(config(dir.resolve("one"), List.of(0.0, 0.5)), 1, new PrintStream(new ByteArrayOutputStream(), true));
  }

  @Test
  void oneWorkerMeasuresTheBaselineAndEveryCellThenARerunSkipsThem() throws Exception {
    assertTrue(one.complete() && one.failed().isEmpty(), one.failed().toString());
    SweepReport.write(one);
    List<SweepRow> rows = one.rows();
    assertEquals(2, rows.size());
    BaselineRow b = one.baseline();
    assertTrue(b.savedModelBytes() > b.variablesBytes() && b.variablesBytes() > 0 && b.peakRssBytes() > 0
        && b.latencyMs1() > 0, b.toString());
    SweepRow dense = rows.get(0);
    assertEquals(0.0, dense.achievedSparsity());
    assertEquals(b.loss(), dense.referenceLoss(), 1e-6, "the dense cell's reference is the source model");
    assertTrue(rows.get(1).achievedSparsity() > 0.3, "pruned cell: " + rows.get(1));
    assertTrue(rows.get(1).gzipBytes() < dense.gzipBytes(), "sparse weights compress better");
    for (SweepRow r : rows) {
      assertTrue(r.maxAbsError() < 1e-4, "fp32 matches TF: " + r);
      assertTrue(r.tflitePeakRssBytes() > 0 && r.latencyMs1() > 0, r.toString());
      assertEquals("", r.edgeTpu(), "float models get no Edge TPU verdict");
      assertEquals(0, r.quantBoundaries(), "fp32 has no QUANTIZE/DEQUANTIZE inside");
    }
    Path out = one.config().out();
    for (String f : List.of("plan.json", "results.csv", "results.json", "baseline.json", "report.md",
        "size_vs_sparsity.png", "loss_vs_size.png", "latency.png")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    assertEquals(3, Files.readAllLines(out.resolve("results.csv")).size(), "header and two rows");
    assertTrue(Files.readAllLines(out.resolve("results.csv")).get(0).endsWith(",quant_boundaries,granularity,clusters,"
        + "float_islands,requantize_ops,samples,latency_unstable,ptq"));
    String md = Files.readString(out.resolve("report.md"));
    assertTrue(md.contains("| source | SavedModel folder"), "baseline row first");
    assertTrue(md.contains("scored on 6 samples of `" + TEST_DATA + "`"), "the exact count scored: " + md);
    assertEquals(6, b.samples());

    Path tflite = out.resolve("s0.50").resolve("fp32.tflite");
    FileTime before = Files.getLastModifiedTime(tflite);
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    SweepResults rerun = Sweep.run(one.config(), 1, new PrintStream(again, true));
    assertEquals(rows, rerun.rows());
    assertEquals(before, Files.getLastModifiedTime(tflite), "a finished cell is not run again");
    assertTrue(again.toString().contains("3 already done, 0 worker"), again.toString());
  }

  @Test
  void withoutTestDataTheBaselineAndEveryRowAreScoredOnTheSameHeldOutSamples() throws Exception {
    SweepConfig c = SweepConfig.builder(model, DATA, dir.resolve("heldout")).optSparsities(List.of(0.5))
        .optPrecisions(List.of(Precision.FP32)).optEpochs(1).optBatch(8).optSamples(100).optRuns(3).optWarmup(1)
        .optThreads(1).build();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    SweepResults r = Sweep.run(c, 1, new PrintStream(log, true));
    assertTrue(r.complete() && r.failed().isEmpty(), log.toString());
    SweepData d = SweepData.of(c);
    assertEquals(4, d.scored().size(), "10% of 40 held out");
    assertEquals(4, r.baseline().samples());
    assertEquals(4, r.rows().get(0).samples(), "not --samples 100: what was scored");
    assertEquals(d.testSet(), r.rows().get(0).testSet());
    String md = SweepReport.write(r);
    assertTrue(md.contains("scored on 4 samples of `held-out 10% of " + DATA), md);
    // The pruned cell's trainer read the train and validation parts only; SweepDataTest shows they hold no
    // scored sample. Its report names the held-out part as its test set, of the same 4 samples.
    String prune = Files.readString(c.cellDir(0.5).resolve("model").resolve("prune-report.json"));
    assertTrue(prune.contains("(4 samples)"), prune);
  }

  @Test
  void twoWorkersAtOnceRunEveryCellExactlyOnceAndAgreeWithOne() {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    SweepResults two = Sweep.run(config(dir.resolve("two"), List.of(0.5)), 2, new PrintStream(log, true));
    assertTrue(two.complete() && two.failed().isEmpty(), log.toString());
    CellLocks locks = new CellLocks(two.config().out());
    for (Cell c : two.plan().cells()) {
      assertEquals(1, locks.attempts(c), "cell " + c.id() + " ran once:\n" + log);
    }
    String text = log.toString();
    int runs = text.split("runs cell", -1).length - 1;
    assertEquals(2, runs, "two cells, each run by one worker:\n" + text);
    assertTrue(text.contains("[w1]") && text.contains("[w2]"), text);
    assertSameMeasurements(List.of(one.rows().get(1)), two.rows());
    assertEquals(one.baseline().savedModelBytes(), two.baseline().savedModelBytes());
    assertEquals(one.baseline().loss(), two.baseline().loss(), 1e-9);
  }

  @Test
  void aWorkerKilledMidCellIsTakenOverAndTheResultIsComplete() throws Exception {
    Path out = dir.resolve("killed");
    SweepPlan plan = SweepPlan.of(config(out, List.of(0.5)));
    plan.write();
    Process victim = new ProcessBuilder(ChildJvm.command(Worker.class.getName(), List.of(out.toString(), "--cell",
        "1", "--name", "victim"))).redirectErrorStream(true).redirectOutput(dir.resolve("victim.log").toFile()).start();
    CellLocks locks = new CellLocks(out);
    Cell cell = plan.cell(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.readString(dir.resolve("victim.log")).contains("prune to") && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(victim.isAlive(), "the victim is still pruning: " + Files.readString(dir.resolve("victim.log")));
    victim.destroyForcibly();  // SIGKILL: no shutdown hook, no cleanup
    assertTrue(victim.waitFor(30, TimeUnit.SECONDS));
    assertEquals(1, locks.attempts(cell));
    assertFalse(Files.exists(locks.doneFile(cell)));
    assertEquals(CellLocks.State.FREE, locks.status(cell).state(), "a dead worker's cell is free again");

    ChildJvm.Outcome next = ChildJvm.run("next worker", Worker.class.getName(), List.of(out.toString(), "--cell", "1",
        "--name", "next"), 300, null);
    assertEquals(0, next.exit(), next.stderr());
    assertEquals(2, locks.attempts(cell), "the next worker ran attempt 1");
    SweepResults r = SweepResults.read(out);
    assertEquals(1, r.rows().size());
    assertSameMeasurements(List.of(one.rows().get(1)), r.rows());
  }

  /**
   * Sizes, sparsities and losses agree; timings and memory are measurements of their own process. Float
   * training on several CPU threads is not bit-reproducible (TensorFlow's reductions may add in another
   * order), so weights can differ in their last bits: losses agree to 1e-6, gzip sizes to 0.1%.
   */
  static void assertSameMeasurements(List<SweepRow> expected, List<SweepRow> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      SweepRow e = expected.get(i);
      SweepRow a = actual.get(i);
      String what = e + "\nvs\n" + a;
      assertEquals(e.sparsity(), a.sparsity(), what);
      assertEquals(e.achievedSparsity(), a.achievedSparsity(), what);
      assertEquals(e.precision(), a.precision(), what);
      assertEquals(e.tfliteBytes(), a.tfliteBytes(), what);
      assertEquals(e.gzipBytes(), a.gzipBytes(), 1e-3 * e.gzipBytes(), what);
      assertEquals(e.referenceVariablesBytes(), a.referenceVariablesBytes(), what);
      assertEquals(e.loss(), a.loss(), 1e-6, what);
      assertEquals(e.referenceLoss(), a.referenceLoss(), 1e-6, what);
      assertEquals(e.metric(), a.metric(), 1e-6, what);
    }
  }
}
