package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.data.NpzWriter;
import dev.compresso.model.TinySavedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convert --ptq LIST}: a calibrated conversion with post-training methods, and bad input as exit 2. */
class ConvertPtqTest {

  @TempDir static Path tmp;
  static Path model;
  static Path data16;
  static Path data4;

  @BeforeAll
  static void export() throws Exception {
    model = TinySavedModels.convDense(tmp.resolve("float"));
    data16 = npz(tmp.resolve("calib16.npz"), 16);
    data4 = npz(tmp.resolve("calib4.npz"), 4);
  }

  @Test
  void methodsRunAndSayWhatTheyDid() throws Exception {
    Path target = tmp.resolve("ptq.tflite");
    CliRun r = CliRun.of("convert", model.toString(), "--precision", "int8", "--calibration-data", data16.toString(),
        "--ptq", "bias,range,cle", "--out", target.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("ptq range:") && r.err().contains("ptq bias:"), r.err());
    assertTrue(r.err().contains("ptq cle: applies to no layer"), r.err()); // conv -> relu -> reshape -> dense: no pair
    assertTrue(r.err().indexOf("ptq cle") < r.err().indexOf("ptq bias"), r.err());
    assertTrue(Files.size(target) > 1000);
  }

  @Test
  void unknownMethodsAreListedWithTheValidOnes() {
    Path target = tmp.resolve("unknown.tflite");
    CliRun r = CliRun.of("convert", model.toString(), "--precision", "int8", "--calibration-data", data16.toString(),
        "--ptq", "cle,magic", "--out", target.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("'magic'") && r.err().contains("cle, range, adaround, bias"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(Files.exists(target));
  }

  @Test
  void tooFewSamplesSayHowManyTheMethodNeeds() {
    Path target = tmp.resolve("few.tflite");
    CliRun r = CliRun.of("convert", model.toString(), "--precision", "int8", "--calibration-data", data4.toString(),
        "--ptq", "bias", "--out", target.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("4 calibration sample(s)") && r.err().contains("'bias' needs at least 16"), r.err());
    assertFalse(Files.exists(target));
  }

  @Test
  void ptqNeedsCalibrationDataAndAnIntegerPrecision() {
    CliRun noData = CliRun.of("convert", model.toString(), "--precision", "int8", "--ptq", "range", "--out",
        tmp.resolve("a.tflite").toString());
    assertEquals(2, noData.exit(), noData.err());
    assertTrue(noData.err().contains("--calibration-data"), noData.err());
    CliRun fp16 = CliRun.of("convert", model.toString(), "--precision", "fp16", "--ptq", "range", "--out",
        tmp.resolve("b.tflite").toString());
    assertEquals(2, fp16.exit(), fp16.err());
    CliRun iterations = CliRun.of("convert", model.toString(), "--precision", "int8", "--calibration-data",
        data16.toString(), "--ptq", "range", "--adaround-iterations", "5", "--out", tmp.resolve("c.tflite").toString());
    assertEquals(2, iterations.exit(), iterations.err());
    assertTrue(iterations.err().contains("--adaround-iterations"), iterations.err());
  }

  private static Path npz(Path file, int n) {
    Random rnd = new Random(3);
    float[] x = new float[n * TinySavedModels.H * TinySavedModels.W * TinySavedModels.C];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextFloat() * 2 - 1;
    }
    new NpzWriter().add("x", x, n, TinySavedModels.H, TinySavedModels.W, TinySavedModels.C)
        .add("y", new float[n * TinySavedModels.CLASSES], n, TinySavedModels.CLASSES).write(file);
    return file;
  }
}
