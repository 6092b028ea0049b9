package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --test-data} on the fine-tuning verbs: the model is measured before and after on exactly those samples
 * (the report says which and how many), and one that is --data itself or does not fit is exit 2 naming it,
 * before anything is written.
 */
class FineTuningTestDataTest {

  static final String MODEL = "src/test/resources/fixtures/tasks/digits_logits";
  static final String FIT = "src/test/resources/fixtures/tasks/digits_fit.npz";
  static final String TEST = "src/test/resources/fixtures/tasks/digits.npz";

  @TempDir
  Path tmp;

  @Test
  void pruneMeasuresOnTheTestDataGiven() throws Exception {
    Path out = tmp.resolve("pruned");
    CliRun r = CliRun.of("prune", MODEL, "--data", FIT, "--test-data", TEST, "--sparsity", "0.5", "--epochs", "1",
        "--out", out.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("630 train, 70 validation, 1097 test (from " + TEST + ")"), r.err());
    JsonObject report = JsonParser.parseString(Files.readString(out.resolve("prune-report.json"))).getAsJsonObject();
    assertEquals(TEST + " (1097 samples)", report.get("testData").getAsString());
  }

  @Test
  void testDataThatIsTheTrainingDataOrDoesNotFitIsRefusedByEveryVerb() throws Exception {
    Path copy = tmp.resolve("copy.npz");
    Files.copy(Path.of(FIT), copy);
    Path images = tmp.resolve("images.npz");
    new dev.compresso.data.NpzWriter().add("x", new float[4 * 64], 4, 8, 8, 1).add("y", new float[4 * 3], 4, 3)
        .write(images);
    for (String[] verb : new String[][] {{"prune", "--sparsity", "0.5"}, {"qat"}, {"cluster", "--clusters", "8"},
        {"compress", "--target", "cpu", "--max-metric-drop", "0.01"}}) {
      for (Path bad : new Path[] {copy, images}) {
        Path out = tmp.resolve(verb[0] + "-out");
        String[] args = new String[verb.length + 7];
        args[0] = verb[0];
        args[1] = MODEL;
        System.arraycopy(new String[] {"--data", FIT, "--test-data", bad.toString(), "--out", out.toString()}, 0, args,
            2, 6);
        System.arraycopy(verb, 1, args, 8, verb.length - 1);
        CliRun r = CliRun.of(java.util.Arrays.copyOf(args, 8 + verb.length - 1));
        assertEquals(2, r.exit(), verb[0] + " " + bad + ": " + r.err());
        String expected = bad == copy ? "--test-data " + copy + " is the same as --data " + FIT
            : "--test-data " + images + " has inputs [8, 8, 1] and targets [3] per sample";
        assertTrue(r.err().contains(expected), verb[0] + ": " + r.err());
        assertFalse(Files.exists(out), "nothing written");
      }
    }
  }
}
