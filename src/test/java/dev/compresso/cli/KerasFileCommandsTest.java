package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.model.keras.KerasFiles;
import dev.compresso.tflite.TfliteModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Keras .h5 UNet (made by Keras 3.15, {@code fixtures/keras_files}) as MODEL through the CLI: inspect reports
 * its layers and the ignored optimizer state; prune, then qat, then convert to int8; convert to int8 with
 * calibration; convert to fp32 and
 * validate against the .h5 itself (within 1e-5); the .h5 is untouched by all of it.
 */
class KerasFileCommandsTest {

  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void h5UNetInspectsPrunesQatsConvertsToInt8AndValidates() throws Exception {
    Path h5 = Files.copy(KerasFiles.file("unet.h5"), tmp.resolve("unet.h5"));
    Map<String, String> before = InputsUntouchedTest.fingerprint(h5);
    String data = "synthetic:shapes?n=24&size=64&seed=3";

    CliRun inspect = run("inspect", h5.toString(), "--json");
    assertEquals(0, inspect.exit(), inspect.err());
    JsonObject info = JsonParser.parseString(inspect.out()).getAsJsonObject();
    assertEquals(29_497, info.get("parameters").getAsLong());
    assertEquals(38, info.getAsJsonArray("layers").size());
    assertTrue(info.get("optimizer_arrays").getAsInt() > 0, inspect.out());
    assertTrue(info.get("optimizer_state").getAsString().contains("ignored"), inspect.out());

    Path pruned = tmp.resolve("pruned");
    CliRun prune = run("prune", h5.toString(), "--data", data, "--sparsity", "0.5", "--epochs", "1", "--batch", "8",
        "--out", pruned.toString());
    assertEquals(0, prune.exit(), prune.err());
    Path qat = tmp.resolve("qat");
    CliRun q = run("qat", pruned.toString(), "--data", data, "--epochs", "1", "--batch", "8", "--out", qat.toString());
    assertEquals(0, q.exit(), q.err());
    Path int8 = tmp.resolve("qat.tflite");
    CliRun c = run("convert", qat.toString(), "--precision", "int8", "--out", int8.toString());
    assertEquals(0, c.exit(), c.err());
    assertTrue(TfliteModel.read(int8).bytes().length > 0);

    // Post-training int8 straight from the .h5: batch norm is folded before calibration.
    Path ptq = tmp.resolve("ptq.tflite");
    CliRun p = run("convert", h5.toString(), "--precision", "int8", "--calibration-data", data, "--out", ptq.toString());
    assertEquals(0, p.exit(), p.err());

    Path fp32 = tmp.resolve("fp32.tflite");
    CliRun f = run("convert", h5.toString(), "--precision", "fp32", "--out", fp32.toString());
    assertEquals(0, f.exit(), f.err());
    CliRun v = run("validate", fp32.toString(), "--reference", h5.toString(), "--data", data, "--samples", "4",
        "--runs", "1", "--warmup", "0", "--threads", "1", "--json");
    assertEquals(0, v.exit(), v.err());
    JsonObject result = JsonParser.parseString(v.out()).getAsJsonObject();
    double maxAbs = result.getAsJsonArray("output_errors").get(0).getAsJsonObject().get("max_abs").getAsDouble();
    assertTrue(maxAbs <= 1e-5, "fp32 .tflite vs the .h5 in TF Java: " + maxAbs);

    assertEquals(before, InputsUntouchedTest.fingerprint(h5), "a verb changed the .h5");
  }
}
