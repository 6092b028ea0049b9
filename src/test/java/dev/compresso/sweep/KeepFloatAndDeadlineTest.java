package dev.compresso.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import dev.compresso.BadInputException;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.FloatLayers;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kept-float nodes as part of a sweep variant (the plan and row JSON, old files without them, a cell that
 * converts with them), the deadline of {@code sweep} workers, and the TensorFlow thread caps of parallel
 * workers. Cells run on the digits MLP fixture of {@code compress}.
 */
class KeepFloatAndDeadlineTest {

  static final Path FIXTURES = Path.of("src/test/resources/fixtures/compress");
  static final Path MODEL = FIXTURES.resolve("digits_mlp");
  static final String DATA = FIXTURES.resolve("digits_train.npz").toString();
  static final String TEST_DATA = FIXTURES.resolve("digits_test.npz").toString();
  /** The digits MLP's last dense layer, as the int8 file names its FULLY_CONNECTED output. */
  static final String LAST_MATMUL = "StatefulPartitionedCall_1/StatefulPartitionedCall/functional_1/dense_2_1/MatMul";

  @TempDir Path dir;

  private static final Variant INT8 = new Variant(Precision.INT8, false, IoType.FLOAT);
  private static final Variant INT8_KF = INT8.withKeepFloat(Set.of(LAST_MATMUL));

  private SweepConfig config(Path out, List<Variant> variants) {
    return SweepConfig.builder(MODEL, DATA, out).optTestData(TEST_DATA).optSparsities(List.of(0.0, 0.5))
        .optVariants(variants).optEpochs(1).optSamples(20).optRuns(1).optWarmup(0).optThreads(1).build();
  }

  @Test
  void keptFloatNodesRoundTripThroughThePlanAndOldPlansReadWithoutThem() throws Exception {
    assertTrue(INT8_KF.stem().startsWith("int8-kf") && INT8_KF.stem().length() == "int8-kf".length() + 8,
        INT8_KF.stem());
    assertEquals(INT8_KF.stem(), INT8.withKeepFloat(Set.of(LAST_MATMUL)).stem(), "the stem is a digest of the names");
    assertNotEquals(INT8_KF.stem(), INT8.withKeepFloat(Set.of(LAST_MATMUL, "x")).stem());
    assertEquals("int8", INT8.stem(), "no kept-float nodes: the stem as before");
    BadInputException e = assertThrows(BadInputException.class,
        () -> new Variant(Precision.FP16, false, IoType.FLOAT, Set.of("n")));
    assertTrue(e.getMessage().contains("fp16"), e.getMessage());

    Path out = dir.resolve("plan");
    SweepPlan plan = SweepPlan.of(config(out, List.of(INT8, INT8_KF)));
    plan.write();
    assertEquals(plan, SweepPlan.read(out));
    String text = Files.readString(out.resolve(SweepPlan.FILE));
    assertEquals(1, text.split("\"keep_float\"", -1).length - 1, "written for the variant that has them only");

    Path old = dir.resolve("old");
    SweepPlan.of(config(old, List.of(INT8))).write();
    assertFalse(Files.readString(old.resolve(SweepPlan.FILE)).contains("keep_float"), "a plan as before");
    assertEquals(Set.of(), SweepPlan.read(old).config().variants().get(0).keepFloat());

    SweepRow row = new Gson().fromJson("{\"precision\": \"int8\", \"io\": \"float\", \"sparsity\": 0.5}",
        SweepRow.class);
    assertEquals(List.of(), row.keepFloat(), "a row written before variants kept nodes float");
    assertEquals(INT8, row.variant());
  }

  @Test
  void aKeepFloatCellRunsTheNamedNodeInFloat() throws Exception {
    SweepConfig c = config(dir.resolve("cell"), List.of(INT8, INT8_KF));
    SweepPlan plan = SweepPlan.of(c);
    plan.write();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    CellRunner.run(plan, plan.cell(1), new PrintStream(log, true));

    Path cell = c.cellDir(plan.cell(1));
    byte[] plain = Files.readAllBytes(cell.resolve("int8.tflite"));
    byte[] kept = Files.readAllBytes(cell.resolve(INT8_KF.stem() + ".tflite"));
    assertEquals("INT8", outputType(plain, LAST_MATMUL), "calibrated int8: the layer is integer");
    assertEquals("FLOAT32", outputType(kept, LAST_MATMUL), log.toString());
    assertTrue(count(kept, "DEQUANTIZE") > count(plain, "DEQUANTIZE"), "the float layer reads through a DEQUANTIZE");

    List<SweepRow> rows = SweepResults.read(c.out()).rows();
    assertEquals(List.of(), rows.get(0).keepFloat());
    assertEquals(List.of(LAST_MATMUL), rows.get(1).keepFloat());
    assertEquals(INT8_KF, rows.get(1).variant(), "the row names the variant that made it");
    assertTrue(rows.get(1).recipe().contains("float " + LAST_MATMUL), rows.get(1).recipe());
    assertTrue(rows.get(0).plain());
    assertFalse(rows.get(1).plain(), "the report marks it, and the article's claims leave it out");

    SweepConfig bad = config(dir.resolve("bad"), List.of(INT8.withKeepFloat(Set.of("dense_9/MatMul"))));
    SweepPlan badPlan = SweepPlan.of(bad);
    badPlan.write();
    BadInputException e = assertThrows(BadInputException.class,
        () -> CellRunner.run(badPlan, badPlan.cell(1), new PrintStream(new ByteArrayOutputStream(), true)));
    assertTrue(e.getMessage().contains("dense_9/MatMul") && e.getMessage().contains("near"), e.getMessage());
  }

  private static long count(byte[] tflite, String op) {
    return TfliteModel.fromBytes(tflite, "m").primarySubgraph().operators().stream().filter(o -> o.op().equals(op))
        .count();
  }

  private static String outputType(byte[] tflite, String node) {
    List<Integer> ops = FloatLayers.opsOf(tflite, Set.of(node)).get(node);
    assertEquals(1, ops.size(), node + " names one op");
    SubgraphInfo g = TfliteModel.fromBytes(tflite, "m").primarySubgraph();
    return g.tensor(g.operators().get(ops.get(0)).outputs()[0]).dtype();
  }

  @Test
  void aWorkerPastItsDeadlineFinishesItsCellAndStartsNoOther() throws Exception {
    Path out = dir.resolve("late");
    SweepPlan plan = SweepPlan.of(config(out, List.of(new Variant(Precision.FP32, false, IoType.FLOAT))));
    plan.write();
    // The clock reads before the deadline once (the baseline is claimed and runs), after it from then on.
    AtomicLong reads = new AtomicLong();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Worker w = new Worker(plan, new CellLocks(out), "w1", new PrintStream(log, true), 1000,
        () -> reads.getAndIncrement() == 0 ? 0 : 2000);
    Worker.Outcome o = w.runAll();
    assertEquals(1, o.ran(), log.toString());
    assertEquals(plan.cells().size() - 1, o.notStarted());
    assertEquals(0, o.exitCode(), "stopping at the deadline is no failure");
    assertTrue(log.toString().contains("stopped at the deadline"), log.toString());
    SweepResults r = SweepResults.read(out);
    assertEquals(1, r.done());
    assertTrue(r.baseline() != null && r.rows().isEmpty() && r.failed().isEmpty());

    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    SweepResults again = Sweep.run(plan.config(), 1, java.time.Instant.now().minusSeconds(1),
        new PrintStream(progress, true));
    assertEquals(1, again.done(), "a passed deadline starts nothing");
    assertTrue(progress.toString().contains("the deadline passed: 1 of 3 cells done"), progress.toString());
  }

  @Test
  void parallelWorkersShareTheCoresBetweenTheirTensorFlowPools() {
    assertEquals(Map.of(), Sweep.threadCaps(1, 16, Map.of()), "one worker: TensorFlow's defaults");
    assertEquals(Map.of("TF_NUM_INTRAOP_THREADS", "4", "TF_NUM_INTEROP_THREADS", "1"),
        Sweep.threadCaps(4, 16, Map.of()));
    assertEquals(Map.of("TF_NUM_INTRAOP_THREADS", "1", "TF_NUM_INTEROP_THREADS", "1"),
        Sweep.threadCaps(3, 2, Map.of()), "at least one thread each");
    assertEquals(Map.of(), Sweep.threadCaps(4, 16, Map.of("TF_NUM_INTRAOP_THREADS", "8")), "the user's setting wins");
  }
}
