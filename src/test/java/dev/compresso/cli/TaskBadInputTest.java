package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Labels that cannot fit the output end fine-tuning and validation with exit 2 and one line naming both. */
class TaskBadInputTest {

  @TempDir
  Path tmp;

  @Test
  void labelsOfAnotherClassCountExitTwoInOneLine() throws Exception {
    // 12 classes for a 10-class output: an npz whose integer labels go up to 11
    Path data = tmp.resolve("twelve.npz");
    float[] x = new float[12 * 64];
    float[] y = new float[12];
    for (int i = 0; i < 12; i++) {
      y[i] = i;
    }
    new dev.compresso.data.NpzWriter().add("x", x, 12, 8, 8, 1).add("y", y, 12, 1).write(data);
    CliRun r = CliRun.of("prune", "src/test/resources/fixtures/tasks/digits_logits", "--data", data.toString(),
        "--sparsity", "0.5", "--epochs", "1", "--out", tmp.resolve("out").toString());
    assertEquals(2, r.exit(), r.err());
    String line = r.err().strip();
    assertEquals(1, line.lines().filter(l -> l.startsWith("compresso")).count(), r.err());
    assertTrue(line.contains("twelve.npz") && line.contains("label 1") && line.contains("10 classes (0..9)"), r.err());
    assertTrue(!Files.exists(tmp.resolve("out")), "nothing written");
  }
}
