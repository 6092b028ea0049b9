package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sweep --test-data} that cannot be scored on: exit 2, one line naming the file, nothing planned. */
class SweepTestDataTest {

  static final String MODEL = "src/test/resources/fixtures/keras/cnn_classifier/keras_export";
  static final String DATA = "src/test/resources/fixtures/keras/cnn_classifier/reference.npz";

  @TempDir Path dir;

  @Test
  void theTrainingFileAsTestDataIsRefused() {
    CliRun r = CliRun.of("sweep", MODEL, "--data", DATA, "--test-data", DATA, "--plan", "--out",
        dir.resolve("s").toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("--test-data " + DATA + " is the same as --data"), r.err());
    assertFalse(Files.exists(dir.resolve("s").resolve("plan.json")));
  }

  @Test
  void testDataOfOtherShapesIsRefused() {
    String other = "src/test/resources/fixtures/keras/conv1d/reference.npz";
    CliRun r = CliRun.of("sweep", MODEL, "--data", DATA, "--test-data", other, "--plan", "--out",
        dir.resolve("s").toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("--test-data " + other + " has inputs [128, 4]"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }
}
