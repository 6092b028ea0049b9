package dev.compresso.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan file: what a worker elsewhere reads to know the whole sweep. */
class SweepPlanTest {

  @TempDir Path dir;

  @Test
  void aPlanRoundTripsThroughItsFileAndAnotherPlanIsRefused() {
    Path out = dir.resolve("s");
    SweepConfig c = Presets.builder("article", dir.resolve("model"), null, out, 0.1).build();
    SweepPlan plan = SweepPlan.of(c);
    assertEquals(10, plan.cells().size(), "baseline and nine sparsities");
    assertTrue(plan.cell(0).isBaseline());
    assertEquals("s0.80", plan.cell(9).id());
    assertEquals(2, c.epochs(), "20 epochs scaled by 0.1");
    assertEquals(List.of("fp32", "fp16", "int8-qat-uint8"), c.variants().stream().map(Variant::stem).toList());
    plan.write();
    SweepPlan read = SweepPlan.read(out);
    assertEquals(plan, read);
    plan.write();  // the same plan again: kept

    SweepConfig other = Presets.builder("article", dir.resolve("model"), null, out, 0.2).build();
    BadInputException e = assertThrows(BadInputException.class, () -> SweepPlan.of(other).write());
    assertTrue(e.getMessage().contains("holds a different sweep"), e.getMessage());
    assertThrows(BadInputException.class, () -> read.cell(10));
  }

  @Test
  void badGridsAreRefusedBeforeAnythingRuns() {
    SweepConfig.Builder b = SweepConfig.builder(dir, "synthetic:shapes", dir.resolve("o"));
    BadInputException e = assertThrows(BadInputException.class, () -> b.optSparsities(List.of(0.5, 1.0)).build());
    assertTrue(e.getMessage().contains("1.0"), e.getMessage());
    assertThrows(BadInputException.class, () -> SweepConfig.builder(dir, "synthetic:shapes", dir.resolve("o"))
        .optPrecisions(List.of(Precision.FP32, Precision.FP32)).build());
    assertThrows(BadInputException.class, () -> SweepConfig.builder(dir, "synthetic:shapes", dir.resolve("o"))
        .optEpochs(-1).build());
    assertThrows(BadInputException.class, () -> Variant.parse("int4", IoType.FLOAT));
    assertEquals(new Variant(Precision.INT8, true, IoType.UINT8), Variant.parse("INT8-QAT", IoType.UINT8));
    assertEquals(IoType.FLOAT, Variant.parse("fp16", IoType.UINT8).io(), "float models keep float I/O");
    assertThrows(BadInputException.class, () -> Presets.builder("paper", dir, null, dir, 1));
    assertThrows(BadInputException.class, () -> SweepConfig.builder(dir, "synthetic:shapes", dir.resolve("o"))
        .optGranularities(List.of("diagonal")).build());
    assertThrows(BadInputException.class, () -> SweepConfig.builder(dir, "synthetic:shapes", dir.resolve("o"))
        .optGranularities(List.of("4:4")).build());
    BadInputException k = assertThrows(BadInputException.class,
        () -> SweepConfig.builder(dir, "synthetic:shapes", dir.resolve("o")).optClusters(List.of(16, 1)).build());
    assertTrue(k.getMessage().contains("1"), k.getMessage());
  }

  @Test
  void granularityAndClusterAxesRoundTripThroughThePlan() {
    Path out = dir.resolve("axes");
    SweepConfig c = SweepConfig.builder(dir.resolve("model"), "synthetic:shapes", out)
        .optSparsities(List.of(0.0, 0.8)).optGranularities(List.of("unstructured", "channel", "2:4"))
        .optClusters(List.of(16)).build();
    SweepPlan plan = SweepPlan.of(c);
    assertEquals(List.of("baseline", "s0.00", "s0.80", "s0.80-gchannel_l1", "s0.50-g2_4", "s0.00-k16", "s0.80-k16",
        "s0.80-gchannel_l1-k16", "s0.50-g2_4-k16"), plan.cells().stream().map(Cell::id).toList());
    assertEquals(0.5, plan.cell(4).sparsity(), "2:4 prunes to its own sparsity");
    plan.write();
    assertEquals(plan, SweepPlan.read(out));
  }
}
