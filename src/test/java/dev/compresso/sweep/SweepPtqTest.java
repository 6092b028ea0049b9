package dev.compresso.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import dev.compresso.bench.TinyUNets;
import dev.compresso.report.SweepReport;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PTQ methods as part of a sweep's variants ({@code sweep --ptq}): crossed with the calibrated precisions
 * only, carried through {@code plan.json} (a plan written before they existed still reads, as none), checked
 * against the calibration data before anything runs, and run by a real cell.
 */
class SweepPtqTest {

  @TempDir Path dir;

  private SweepConfig.Builder grid(Path out) {
    return SweepConfig.builder(dir.resolve("model"), "synthetic:shapes?n=40&size=32&seed=3", out)
        .optVariants(List.of(Variant.parse("fp32", IoType.UINT8), Variant.parse("int8", IoType.UINT8),
            Variant.parse("int16x8", IoType.UINT8), Variant.parse("int8-qat", IoType.UINT8)))
        .optSparsities(List.of(0.0, 0.5));
  }

  @Test
  void ptqCombinationsCrossTheCalibratedPrecisionsAndRoundTripThroughThePlan() throws Exception {
    Path out = dir.resolve("s");
    SweepConfig c = grid(out).optPtq("none, bias ,bias+cle+range").build();
    assertEquals(List.of("fp32", "int8-uint8", "int8-ptq-bias-uint8", "int8-ptq-cle+range+bias-uint8", "int16x8",
        "int16x8-ptq-bias", "int16x8-ptq-cle+range+bias", "int8-qat-uint8"),
        c.variants().stream().map(Variant::stem).toList(), "methods in the order they run; float and QAT once");
    assertEquals("int8 (uint8 I/O, ptq cle+range+bias)", c.variants().get(3).label());
    assertEquals("int16x8 (ptq bias)", c.variants().get(5).label());
    assertEquals(List.of("bias"), c.variants().get(2).ptqOptions().methods().stream().map(m -> m.name()).toList());
    SweepPlan plan = SweepPlan.of(c);
    assertEquals(3, plan.cells().size(), "PTQ is a variant axis, not a cell axis");
    plan.write();
    SweepPlan read = SweepPlan.read(out);
    assertEquals(plan, read);
    assertEquals("cle+range+bias", read.config().variants().get(3).ptq());
    plan.write();  // the same plan: resumed, not refused
    BadInputException other = assertThrows(BadInputException.class,
        () -> SweepPlan.of(grid(out).optPtq("none,bias").build()).write());
    assertTrue(other.getMessage().contains("holds a different sweep"), other.getMessage());

    Path ada = dir.resolve("ada");
    SweepPlan.of(grid(ada).optPtq("adaround").optAdaroundIterations(20).build()).write();
    SweepConfig back = SweepPlan.read(ada).config();
    assertEquals(20, back.adaroundIterations(), "the bound travels in the plan to every worker");
    assertEquals(20, back.variants().get(1).ptqOptions(back.adaroundIterations()).adaroundIterations());
    BadInputException unused = assertThrows(BadInputException.class,
        () -> grid(ada).optPtq("bias").optAdaroundIterations(20).build());
    assertTrue(unused.getMessage().contains("adaround"), unused.getMessage());
    assertThrows(BadInputException.class, () -> grid(ada).optPtq("adaround").optAdaroundIterations(0).build());
  }

  @Test
  void aPlanWrittenBeforeVariantsHadPtqReadsAsNoneAndResumes() throws Exception {
    Path out = dir.resolve("old");
    SweepConfig c = grid(out).build();
    SweepPlan.of(c).write();
    Path file = out.resolve(SweepPlan.FILE);
    JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    for (JsonElement v : o.getAsJsonArray("variants")) {
      assertTrue(v.getAsJsonObject().remove("ptq") != null, "the new plan writes ptq");
    }
    assertTrue(o.remove("adaround_iterations") != null);
    Files.writeString(file, o.toString());
    assertFalse(Files.readString(file).contains("ptq"));
    SweepPlan read = SweepPlan.read(out);
    assertTrue(read.config().variants().stream().noneMatch(Variant::hasPtq), read.config().variants().toString());
    assertEquals(List.of("fp32", "int8-uint8", "int16x8", "int8-qat-uint8"),
        read.config().variants().stream().map(Variant::stem).toList(), "the same files as before: nothing reruns");
    SweepPlan.of(grid(out).build()).write();  // the same sweep given again resumes the old folder
    SweepPlan.of(grid(out).optPtq("none").build()).write();

    // A cell.json row written before rows had "ptq" reads as none.
    SweepRow row = ArticleClaimsTest.row(0, "int8", "uint8", 500_000, 450_000, 70L << 20, 5, 0.02);
    JsonObject cell = new JsonObject();
    com.google.gson.JsonArray rows = new com.google.gson.JsonArray();
    JsonObject r = new com.google.gson.Gson().toJsonTree(row).getAsJsonObject();
    assertEquals("none", r.remove("ptq").getAsString());
    rows.add(r);
    cell.add("rows", rows);
    SweepRow back = CellRunner.rowsOf(cell).get(0);
    assertEquals("none", back.ptq());
    assertEquals(row, back);
    assertEquals("int8 (uint8 I/O)", back.precisionLabel());
  }

  @Test
  void badPtqListsAreRefusedNamingWhatIsValid() {
    BadInputException unknown = assertThrows(BadInputException.class, () -> grid(dir).optPtq("bias,cle+adaroun"));
    assertTrue(unknown.getMessage().contains("'adaroun'") && unknown.getMessage().contains("cle, range, adaround, bias"),
        unknown.getMessage());
    assertThrows(BadInputException.class, () -> grid(dir).optPtq("none+bias"));
    BadInputException twice = assertThrows(BadInputException.class, () -> grid(dir).optPtq("cle+bias,bias+cle"));
    assertTrue(twice.getMessage().contains("cle+bias"), twice.getMessage());
    assertThrows(BadInputException.class, () -> grid(dir).optPtq(" , "));
    BadInputException floats = assertThrows(BadInputException.class, () -> SweepConfig.builder(dir, "synthetic:shapes",
        dir.resolve("o")).optPrecisions(List.of(Precision.FP32, Precision.FP16)).optPtq("bias").build());
    assertTrue(floats.getMessage().contains("fp32,fp16") && floats.getMessage().contains("int8"), floats.getMessage());
    assertThrows(BadInputException.class, () -> new Variant(Precision.INT8, true, IoType.UINT8, "bias"),
        "QAT ranges are learned, not calibrated");
    assertThrows(BadInputException.class, () -> new Variant(Precision.FP16, false, IoType.FLOAT, "cle"));
  }

  @Test
  void tooFewCalibrationSamplesForAMethodAreExitTwoAtPlanTime() {
    // 10 samples: the train part (80%) holds 8, enough for cle (8) but not for bias (16).
    SweepConfig c = SweepConfig.builder(dir, "synthetic:shapes?n=10&size=32&seed=3", dir.resolve("few"))
        .optPrecisions(List.of(Precision.INT8)).optPtq("cle,cle+bias").build();
    BadInputException e = assertThrows(BadInputException.class, () -> SweepData.check(c));
    assertTrue(e.getMessage().contains("8 sample(s)") && e.getMessage().contains("'bias' needs at least 16")
        && !e.getMessage().contains("'cle'"), e.getMessage());
    assertTrue(e.getMessage().contains("--data synthetic:shapes?n=10"), e.getMessage());
    SweepData.check(SweepConfig.builder(dir, "synthetic:shapes?n=10&size=32&seed=3", dir.resolve("few"))
        .optPrecisions(List.of(Precision.INT8)).optPtq("cle").build());
  }

  /** A real cell of a tiny UNet: int8 after bias correction is another file than min/max int8, and valid. */
  @Test
  void aCellWithPtqBiasConvertsAnotherInt8File() throws Exception {
    Path model = TinyUNets.export(dir.resolve("unet"), 32);
    SweepConfig config = SweepConfig.builder(model, SweepTest.DATA, dir.resolve("sweep")).optTestData(SweepTest.TEST_DATA)
        .optSparsities(List.of(0.0)).optPrecisions(List.of(Precision.INT8)).optPtq("none,bias")
        .optEpochs(1).optBatch(8).optSamples(6).optRuns(2).optWarmup(0).optThreads(1).build();
    SweepData.check(config);
    SweepPlan plan = SweepPlan.of(config);
    plan.write();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    CellRunner.run(plan, plan.cell(1), new PrintStream(log, true));

    Path cell = config.cellDir(0.0);
    byte[] plain = Files.readAllBytes(cell.resolve("int8.tflite"));
    byte[] bias = Files.readAllBytes(cell.resolve("int8-ptq-bias.tflite"));
    assertFalse(Arrays.equals(plain, bias), "bias correction changes the biases");
    assertTrue(log.toString().contains("ptq bias: "), log.toString());
    SubgraphInfo g = TfliteModel.read(cell.resolve("int8-ptq-bias.tflite")).primarySubgraph();
    assertTrue(g.tensors().stream().anyMatch(t -> t.dtype().equals("INT8")), "full int8");
    List<SweepRow> rows = SweepResults.read(config.out()).rows();
    assertEquals(List.of("none", "bias"), rows.stream().map(SweepRow::ptq).toList());
    assertEquals(new Variant(Precision.INT8, false, IoType.FLOAT, "bias"), rows.get(1).variant());
    for (SweepRow r : rows) {
      assertTrue(Double.isFinite(r.loss()) && Math.abs(r.loss() - r.referenceLoss()) < 0.1, r.toString());
    }
    String table = SweepReport.table(null, rows);
    assertTrue(table.contains("| int8 (ptq bias) |") && table.contains("| int8 |"), table);
    assertTrue(Files.readString(config.out().resolve(SweepPlan.FILE)).contains("\"ptq\": \"bias\""));
  }
}
