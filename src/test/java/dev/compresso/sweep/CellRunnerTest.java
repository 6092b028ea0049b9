package dev.compresso.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.bench.TinyUNets;
import dev.compresso.prune.PrunableWeights;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.WeightStats;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A QAT cell in this process: the dense tiny UNet through QAT, converted to int8 with uint8 I/O from the
 * learned ranges (no calibration data given), validated, and checked against the Edge TPU's rules.
 */
class CellRunnerTest {

  @TempDir Path dir;

  @Test
  void anInt8QatCellConvertsWithTheLearnedRangesAndGetsAnEdgeTpuVerdict() throws Exception {
    Path model = TinyUNets.export(dir.resolve("unet"), 32);
    SweepConfig config = SweepConfig.builder(model, SweepTest.DATA, dir.resolve("sweep")).optTestData(SweepTest.TEST_DATA)
        .optSparsities(List.of(0.0)).optVariants(List.of(new Variant(Precision.INT8, true, IoType.UINT8),
            Variant.parse("int16x8", IoType.UINT8)))
        .optEpochs(1).optBatch(8).optSamples(6).optRuns(2).optWarmup(0).optThreads(1).build();
    SweepPlan plan = SweepPlan.of(config);
    plan.write();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    CellRunner.run(plan, plan.cell(1), new PrintStream(log, true));

    Path cell = config.cellDir(0.0);
    assertTrue(Files.isRegularFile(cell.resolve("qat").resolve("qat-report.json")), log.toString());
    SubgraphInfo g = TfliteModel.read(cell.resolve("int8-qat-uint8.tflite")).primarySubgraph();
    assertEquals("UINT8", g.tensor(g.inputs()[0]).dtype(), "uint8 input for the Edge TPU");
    assertEquals("UINT8", g.tensor(g.outputs()[0]).dtype(), "uint8 output");
    SweepRow r = SweepResults.read(config.out()).rows().get(0);
    assertEquals("int8-qat", r.precision());
    assertEquals("uint8", r.io());
    assertFalse(r.edgeTpu().isEmpty(), "integer models get a verdict");
    assertTrue(r.edgeTpuOpShare() > 0.5, r.edgeTpu());
    assertTrue(Double.isFinite(r.loss()) && Math.abs(r.loss() - r.referenceLoss()) < 0.1, r.toString());
    assertTrue(Files.isRegularFile(cell.resolve("int8-qat-uint8.edgetpu.json")));
    // int16x8 is calibrated on the sweep's data, keeps float I/O and is no Edge TPU candidate.
    SweepRow r16 = SweepResults.read(config.out()).rows().get(1);
    assertEquals("int16x8", r16.precision());
    assertTrue(r16.edgeTpu().isEmpty(), r16.edgeTpu());
    SubgraphInfo g16 = TfliteModel.read(cell.resolve("int16x8.tflite")).primarySubgraph();
    assertEquals("FLOAT32", g16.tensor(g16.inputs()[0]).dtype());
    assertTrue(g16.tensors().stream().anyMatch(t -> t.dtype().equals("INT16")));
    assertTrue(Math.abs(r16.loss() - r16.referenceLoss()) <= Math.abs(r.loss() - r.referenceLoss()) + 0.01, r16.toString());
  }

  /** A Keras model with BatchNorm: the calibrated cells fold it first (its Rsqrt has no int8 kernel), as convert does. */
  @Test
  void calibratedCellsOfAKerasBatchNormModelConvert() throws Exception {
    Path model = dev.compresso.model.KerasFixtures.dir("unet_bn", "keras_export");
    String data = "synthetic:shapes?n=16&size=64&seed=5";
    SweepConfig config = SweepConfig.builder(model, data, dir.resolve("sweep_bn"))
        .optTestData("synthetic:shapes?n=4&size=64&seed=6").optSparsities(List.of(0.5))
        .optVariants(List.of(new Variant(Precision.INT8, false, IoType.FLOAT)))
        .optEpochs(1).optBatch(8).optSamples(4).optRuns(1).optWarmup(0).optThreads(1).build();
    SweepPlan plan = SweepPlan.of(config);
    plan.write();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    CellRunner.run(plan, plan.cell(1), new PrintStream(log, true));
    SweepRow r = SweepResults.read(config.out()).rows().get(0);
    assertEquals("int8", r.precision());
    assertTrue(Double.isFinite(r.loss()), log.toString());
    assertTrue(TfliteModel.read(config.cellDir(0.5).resolve("int8.tflite")).primarySubgraph().tensors().stream()
        .noneMatch(t -> t.name().contains("Rsqrt")), "batch norm folded");
  }

  @Test
  void granularityAndClusterAxesMakeTwoOfFourAndClusteredCells() throws Exception {
    Path model = TinyUNets.export(dir.resolve("unet"), 32);
    SweepConfig config = SweepConfig.builder(model, SweepTest.DATA, dir.resolve("sweep")).optTestData(SweepTest.TEST_DATA)
        .optSparsities(List.of(0.5)).optGranularities(List.of("unstructured", "2:4")).optClusters(List.of(4))
        .optVariants(List.of(new Variant(Precision.FP32, false, IoType.FLOAT)))
        .optEpochs(1).optBatch(8).optSamples(6).optRuns(2).optWarmup(0).optThreads(1).build();
    SweepPlan plan = SweepPlan.of(config);
    assertEquals(List.of("baseline", "s0.50", "s0.50-g2_4", "s0.50-k4", "s0.50-g2_4-k4"),
        plan.cells().stream().map(Cell::id).toList());
    plan.write();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    CellRunner.run(plan, plan.cell(2), new PrintStream(log, true));
    CellRunner.run(plan, plan.cell(4), new PrintStream(log, true));

    List<SweepRow> rows = SweepResults.read(config.out()).rows();
    assertEquals(2, rows.size(), log.toString());
    assertEquals("2:4", rows.get(0).recipe());
    assertEquals("2:4 + 4 clusters", rows.get(1).recipe());
    assertFalse(rows.get(0).plain());
    for (String cell : List.of("s0.50-g2_4", "s0.50-g2_4-k4")) {
      List<WeightStats.Kernel> kernels = WeightStats.of(TfliteModel.read(config.out().resolve(cell).resolve("fp32.tflite")),
          2, 4);
      // Kernels under PrunableWeights.MIN_PARAMETERS_DEFAULT are neither pruned nor clustered.
      long checked = kernels.stream().filter(k -> k.elements() >= PrunableWeights.MIN_PARAMETERS_DEFAULT).peek(k -> {
        assertTrue(k.shape()[k.shape().length - 1] == 1 || k.mnViolations() == 0, cell + ": " + k);
        if (cell.endsWith("k4")) {
          assertTrue(k.distinct() <= 4, cell + ": " + k);
        }
      }).count();
      assertTrue(checked >= 3, cell + ": " + kernels);
    }
    String table = dev.compresso.report.SweepReport.table(null, rows);
    assertTrue(table.contains("0.50 (") && table.contains("2:4 + 4 clusters"), table);
  }
}
