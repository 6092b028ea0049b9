package dev.compresso.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.bench.TinyUNets;
import dev.compresso.cli.Main;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.WeightStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cluster -> convert fp32, and cluster -> qat -> convert int8 on a tiny UNet, read back from the .tflite:
 * the clustered kernels keep at most K values (per tensor in fp32, per output channel in int8).
 */
class ClusterQatTest {

  @TempDir static Path tmp;

  static final String DATA = "synthetic:shapes?n=40&size=32&seed=5";

  @Test
  void clustersSurviveConversionAndClusterPreservingQat() {
    Path model = TinyUNets.export(tmp.resolve("float"), 32);
    Path clustered = tmp.resolve("c4");
    run(0, "cluster", model.toString(), "--data", DATA, "--clusters", "4", "--min-params", "100", "--batch", "4",
        "--out", clustered.toString());
    Path fp32 = tmp.resolve("c4.tflite");
    run(0, "convert", clustered.toString(), "--precision", "fp32", "--out", fp32.toString());
    List<WeightStats.Kernel> f = WeightStats.of(TfliteModel.read(fp32), 0, 0);
    long checked = f.stream().filter(k -> k.elements() >= 100).peek(k -> assertTrue(k.distinct() <= 4, k.toString()))
        .count();
    assertEquals(11, checked);

    Path qat = tmp.resolve("cqat");
    String table = run(0, "qat", clustered.toString(), "--data", DATA, "--epochs", "1", "--batch", "4",
        "--calibration-samples", "8", "--learning-rate", "1e-3", "--out", qat.toString());
    assertTrue(table.contains("11 clustered kernels"), table);
    Path int8 = tmp.resolve("cqat.tflite");
    run(0, "convert", qat.toString(), "--precision", "int8", "--out", int8.toString());
    List<WeightStats.Kernel> q = WeightStats.of(TfliteModel.read(int8), 0, 0);
    checked = q.stream().filter(k -> k.elements() >= 100).peek(k -> {
      assertEquals("INT8", k.dtype(), k.toString());
      assertTrue(k.maxDistinctPerChannel() <= 4, k.toString());
    }).count();
    assertEquals(11, checked);
    // the unclustered float model's kernels are not taken for clustered ones
    run(2, "cluster", model.toString(), "--data", DATA, "--clusters", "1", "--out", tmp.resolve("bad").toString());
  }

  @Test
  void detectionTellsClusteredFromPrunedKernels() {
    float[] clustered = new float[64];
    float[] pruned = new float[64];
    for (int i = 0; i < 64; i++) {
      clustered[i] = i % 3 == 0 ? 0f : (i % 2 == 0 ? 0.5f : -0.25f) * (1 + i % 4);
      pruned[i] = i % 5 == 0 ? 0.01f * i + 0.001f : 0f;
    }
    KernelClusters c = ClusteredKernels.detect("k", new long[] {4, 4, 4}, clustered, 2);
    assertNotNull(c);
    assertEquals(4, c.groups());
    assertTrue(java.util.Arrays.equals(clustered, c.kernel(c.centroids())));
    assertNull(ClusteredKernels.detect("p", new long[] {4, 4, 4}, pruned, 2), "distinct non-zero values: not clustered");
    // sparse and clustered per kernel, with channels too small to show it on their own
    float[] both = new float[128];
    for (int i = 0; i < both.length; i += 5) {
      both[i] = 0.1f * (1 + (i / 5) % 6);
    }
    KernelClusters b = ClusteredKernels.detect("b", new long[] {4, 4, 8}, both, 2);
    assertNotNull(b, "6 values over 26 non-zeros");
    assertTrue(java.util.Arrays.equals(both, b.kernel(b.centroids())));
  }

  private static String run(int expected, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(expected, exit, String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }
}
