package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.data.NpyArray;
import dev.compresso.data.NpzWriter;
import dev.compresso.model.InputFormFixtures;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert} and {@code validate} on a SavedModel with two inputs ({@code image} [8,8,1], {@code vec} [4]),
 * data as a .npz with one array per input named by its key; what is refused, in one line naming the file, the
 * input and the arrays present; fine-tuning's one-input rule.
 */
class SeveralInputsCommandTest {

  static final String FIXTURE = "two_inputs_tf2";

  @TempDir static Path tmp;
  static String model;
  static String data;

  @BeforeAll
  static void paths() {
    model = InputFormFixtures.model(FIXTURE).toString();
    data = InputFormFixtures.reference(FIXTURE).toString();
  }

  @Test
  void int8CalibratedOnEveryInputStaysCloseToTensorFlow() {
    Path out = tmp.resolve("two_int8.tflite");
    CliRun r = CliRun.of("convert", model, "--precision", "int8", "--io", "uint8", "--calibration-data", data, "--out",
        out.toString());
    assertEquals(0, r.exit(), r.err());
    Map<String, NpyArray> ref = InputFormFixtures.arrays(FIXTURE);
    float worst = 0;
    float range = 0;
    try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.read(out), InterpreterOptions.defaults())) {
      assertEquals(2, it.inputs().size());
      assertEquals("UINT8", it.inputs().get(0).dtype(), "uint8 I/O on every input");
      assertEquals("UINT8", it.inputs().get(1).dtype(), "uint8 I/O on every input");
      float[] y = ref.get("y").values();
      for (int s = 0; s < 4; s++) {
        float[] out0 = it.run(sample(ref.get("image"), s), sample(ref.get("vec"), s))[0];
        for (int k = 0; k < out0.length; k++) {
          worst = Math.max(worst, Math.abs(out0[k] - y[s * 3 + k]));
          range = Math.max(range, Math.abs(y[s * 3 + k]));
        }
      }
    }
    System.out.printf("two inputs int8 (uint8 I/O): max |tflite - tensorflow| %.4f, largest |y| %.3f%n", worst, range);
    // 4 calibration samples; one int8 step of the output is about range/128.
    assertTrue(worst < 0.05f * range, "int8 error " + worst + " against outputs up to " + range);
  }

  @Test
  void validateFeedsBothInputs() {
    Path fp32 = tmp.resolve("two_fp32.tflite");
    assertEquals(0, CliRun.of("convert", model, "--precision", "fp32", "--out", fp32.toString()).exit());
    CliRun r = CliRun.of("validate", fp32.toString(), "--reference", model, "--data", data, "--threads", "1", "--runs",
        "2", "--warmup", "1", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonObject root = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(4, root.get("samples").getAsInt());
    JsonObject error = root.getAsJsonArray("output_errors").get(0).getAsJsonObject();
    System.out.println("validate two inputs fp32: " + error);
    assertEquals(12, error.get("values").getAsInt());
    assertTrue(error.get("max_abs").getAsDouble() <= 1e-5, error.toString());
    assertTrue(r.err().contains("inputs image, vec"), r.err());

    // without y the reference's output is the target: the reference scores a loss of 0
    Map<String, NpyArray> ref = InputFormFixtures.arrays(FIXTURE);
    Path noTargets = tmp.resolve("no_targets.npz");
    new NpzWriter().add("image", ref.get("image").values(), ref.get("image").shape())
        .add("vec", ref.get("vec").values(), ref.get("vec").shape()).write(noTargets);
    CliRun unlabeled = CliRun.of("validate", fp32.toString(), "--reference", model, "--data", noTargets.toString(),
        "--threads", "1", "--runs", "2", "--warmup", "1", "--json");
    assertEquals(0, unlabeled.exit(), unlabeled.err());
    assertTrue(unlabeled.err().contains("no targets (y) in " + noTargets + ": the reference's output 'y' is the target"),
        unlabeled.err());
    JsonObject quality = JsonParser.parseString(unlabeled.out()).getAsJsonObject().getAsJsonObject("quality");
    assertEquals(0.0, quality.getAsJsonObject("reference").get("loss_value").getAsDouble(), 0.0);
  }

  @Test
  void dataWithoutAnArrayPerInputIsRefusedNamingWhatIsThere() {
    Map<String, NpyArray> ref = InputFormFixtures.arrays(FIXTURE);
    Path onlyImage = tmp.resolve("only_image.npz");
    new NpzWriter().add("image", ref.get("image").values(), ref.get("image").shape())
        .add("x", ref.get("vec").values(), ref.get("vec").shape()).write(onlyImage);
    String expected = onlyImage + ": no array for input vec; a model with several inputs (image, vec) takes a .npz "
        + "with one array per input, named by the input's key (np.savez(f, image=..., vec=..., y=...)); arrays "
        + "present: image, x";
    CliRun convert = CliRun.of("convert", model, "--precision", "int8", "--calibration-data", onlyImage.toString(),
        "--out", tmp.resolve("never.tflite").toString());
    assertRefused(convert, "compresso convert: " + expected);
    Path fp32 = tmp.resolve("refused_fp32.tflite");
    assertEquals(0, CliRun.of("convert", model, "--precision", "fp32", "--out", fp32.toString()).exit());
    assertRefused(CliRun.of("validate", fp32.toString(), "--reference", model, "--data", onlyImage.toString()),
        "compresso validate: " + expected);

    Path wrongShape = tmp.resolve("wrong_shape.npz");
    new NpzWriter().add("image", ref.get("image").values(), ref.get("image").shape())
        .add("vec", new float[20], 4, 5).write(wrongShape);
    assertRefused(CliRun.of("validate", fp32.toString(), "--reference", model, "--data", wrongShape.toString()),
        "compresso validate: " + wrongShape + ": array vec has shape [4, 5] ([5] per sample), but input 'vec' takes "
            + "[-1, 4] (batch first, -1 = any)");

    assertRefused(CliRun.of("convert", model, "--precision", "int8", "--calibration-data", "synthetic:shapes?n=4",
        "--out", tmp.resolve("never.tflite").toString()), "compresso convert: synthetic:shapes?n=4: a model with "
        + "several inputs (image, vec) takes a .npz with one array per input");
    assertRefused(CliRun.of("convert", model, "--precision", "int8", "--calibration-data", data, "--ptq",
        "bias", "--out", tmp.resolve("never.tflite").toString()),
        "compresso convert: the post-training methods of 'compresso convert --ptq' take models with one input; "
        + "signature 'serving_default' has inputs image, vec");
    assertRefused(CliRun.of("convert", model, "--precision", "int8", "--calibration-data", data, "--max-loss-increase",
        "0.01", "--data", data, "--out", tmp.resolve("never.tflite").toString()), "compresso convert: " + model
        + ": --max-loss-increase takes models with one input; this model has inputs image, vec");
    assertRefused(CliRun.of("diagnose", fp32.toString(), "--reference", model, "--data", data), "compresso diagnose: "
        + fp32 + ": diagnose takes models with one input; this model has inputs serving_default_image, "
        + "serving_default_vec");
  }

  @Test
  void fineTuningKeepsItsOneInputRule() {
    for (String[] verb : new String[][] {{"prune", "--sparsity", "0.5"}, {"qat"}, {"cluster", "--clusters", "4"}}) {
      // compresso VERB MODEL [verb options] --data DATA --out DIR
      String[] ordered = new String[verb.length + 5];
      ordered[0] = verb[0];
      ordered[1] = model;
      System.arraycopy(verb, 1, ordered, 2, verb.length - 1);
      System.arraycopy(new String[] {"--data", data, "--out", tmp.resolve("never").toString()}, 0, ordered,
          verb.length + 1, 4);
      assertRefused(CliRun.of(ordered), "compresso " + verb[0] + ": " + model + ": fine-tuning (prune, qat, cluster) "
          + "takes models with one input; this model has inputs image, vec (convert and validate take it)");
    }
    assertRefused(CliRun.of("compress", model, "--data", data, "--target", "cpu", "--max-loss-increase", "0.01",
        "--out", tmp.resolve("never").toString()), "compresso compress: " + model + ": compress fine-tunes, and "
        + "fine-tuning (prune, qat, cluster) takes models with one input; this model has inputs image, vec");
    assertRefused(CliRun.of("sweep", model, "--data", data, "--sparsities", "0", "--precisions", "fp32", "--out",
        tmp.resolve("never_sweep").toString()), "compresso sweep: " + model + ": sweep fine-tunes, and fine-tuning");
  }

  private static void assertRefused(CliRun r, String expectedStart) {
    assertEquals(2, r.exit(), r.err());
    String line = r.err().strip();
    assertFalse(line.contains("\n"), "one line: " + r.err());
    assertTrue(line.startsWith(expectedStart), "expected\n  " + expectedStart + "\ngot\n  " + line);
  }

  private static float[] sample(NpyArray a, int s) {
    int per = a.values().length / (int) a.shape()[0];
    return Arrays.copyOfRange(a.values(), s * per, (s + 1) * per);
  }
}
