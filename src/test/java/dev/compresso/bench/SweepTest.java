package dev.compresso.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.model.SavedModelExporter;
import dev.compresso.report.SweepReport;
import dev.compresso.tflite.convert.Precision;
import dev.compresso.zoo.UNet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/** A two-cell sweep on a tiny UNet, end to end through child processes, then rerun to check resuming. */
class SweepTest {

  @TempDir Path dir;

  private Path tinyUNet() {
    Path model = dir.resolve("unet");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      UNet.Built built = new UNet(32, 1, 4, 2).build(g, 3);
      built.store().assign(s, built.initialValues());
      SavedModelExporter.export(s, Signature.builder("serving_default").input("image", built.model().input())
          .output("mask", built.model().output()).build(), model, false);
    }
    return model;
  }

  @Test
  void runsEveryCellThenSkipsThemOnARerun() throws Exception {
    Path out = dir.resolve("sweep");
    SweepConfig config = SweepConfig.builder(tinyUNet(), "synthetic:shapes?n=40&size=32&seed=3", out)
        .optTestData("synthetic:shapes?n=6&size=32&seed=4")
        .optSparsities(List.of(0.0, 0.5))
        .optPrecisions(List.of(Precision.FP32))
        .optEpochs(1).optBatch(8).optSamples(6).optRuns(3).optWarmup(1).optThreads(1)
        .build();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<SweepRow> rows = Sweep.run(config, new PrintStream(log, true));
    SweepReport.write(config, rows);

    assertEquals(2, rows.size());
    assertEquals(0.0, rows.get(0).achievedSparsity());
    assertTrue(rows.get(1).achievedSparsity() > 0.3, "pruned cell: " + rows.get(1));
    assertTrue(rows.get(1).gzipBytes() < rows.get(0).gzipBytes(), "sparse weights compress better");
    for (SweepRow r : rows) {
      assertTrue(r.maxAbsError() < 1e-4, "fp32 matches TF: " + r);
      assertTrue(r.tflitePeakRssBytes() > 0 && r.latencyMs1() > 0, r.toString());
    }
    for (String f : List.of("results.csv", "results.json", "report.md", "size_vs_sparsity.png", "loss_vs_size.png",
        "latency.png")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    assertEquals(3, Files.readAllLines(out.resolve("results.csv")).size(), "header and two rows");

    Path tflite = config.cellDir(0.5).resolve("fp32.tflite");
    FileTime before = Files.getLastModifiedTime(tflite);
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    List<SweepRow> rerun = Sweep.run(config, new PrintStream(again, true));
    assertEquals(rows, rerun);
    assertEquals(before, Files.getLastModifiedTime(tflite), "a finished step is not run again");
    assertTrue(again.toString().contains("(5 already done)"), again.toString());
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
  }
}
