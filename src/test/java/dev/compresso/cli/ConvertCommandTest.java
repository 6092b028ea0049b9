package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.model.TinySavedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compresso convert} end to end: exit codes, one-line errors, atomic output. */
class ConvertCommandTest {

  @TempDir static Path tmp;
  static Path model;
  static Path qat;

  @BeforeAll
  static void export() throws Exception {
    model = TinySavedModels.convDense(tmp.resolve("float"));
    qat = TinySavedModels.convDenseQat(tmp.resolve("qat"));
  }

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void fp16WritesTheFileAndNothingElse() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("fp16"));
    Path target = dir.resolve("m.tflite");
    CliRun r = run("convert", model.toString(), "--precision", "fp16", "--out", target.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(Files.size(target) > 1000);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temp file left behind");
    }
  }

  @Test
  void anExistingFileIsRefusedUnlessOverwrite() throws Exception {
    Path target = tmp.resolve("existing.tflite");
    Files.write(target, new byte[] {1, 2, 3});
    CliRun refused = run("convert", model.toString(), "--precision", "fp32", "--out", target.toString());
    assertEquals(2, refused.exit(), refused.err());
    assertTrue(refused.err().contains("already exists") && refused.err().contains("--overwrite"), refused.err());
    assertEquals(1, refused.err().strip().lines().count(), refused.err());
    assertEquals(3, Files.size(target), "the existing file is untouched");

    CliRun replaced = run("convert", model.toString(), "--precision", "fp32", "--out", target.toString(), "--overwrite");
    assertEquals(0, replaced.exit(), replaced.err());
    assertTrue(Files.size(target) > 1000);

    Path folder = Files.createDirectories(tmp.resolve("a_folder.tflite"));
    CliRun dir = run("convert", model.toString(), "--precision", "fp32", "--out", folder.toString(), "--overwrite");
    assertEquals(2, dir.exit(), dir.err());
    assertTrue(dir.err().contains("is a folder"), dir.err());
  }

  @Test
  void int8FromQatWithUint8Io() throws Exception {
    Path target = tmp.resolve("qat_uint8.tflite");
    CliRun r = run("convert", qat.toString(), "--precision", "int8", "--io", "uint8", "--out", target.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("uint8 I/O"), r.out());
  }

  @Test
  void int16x8FromQatRanges() throws Exception {
    Path target = tmp.resolve("qat_16x8.tflite");
    CliRun r = run("convert", qat.toString(), "--precision", "int16x8", "--out", target.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("int16x8") && r.out().contains("reference int16 kernels"), r.out());
    assertTrue(dev.compresso.tflite.convert.TfliteTensor.read(Files.readAllBytes(target)).stream()
        .anyMatch(t -> !t.constant() && t.type() == org.tensorflow.lite.schema.TensorType.INT16), "int16 activations");
  }

  @Test
  void edgeTpuCheckPassesAFullyIntegerModelAndRefusesAFloatOne() {
    Path ok = tmp.resolve("edgetpu_ok.tflite");
    CliRun r = run("convert", qat.toString(), "--precision", "int8", "--io", "uint8", "--edgetpu", "--out", ok.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("edgetpu: all") && Files.exists(ok), r.out());
    Path never = tmp.resolve("edgetpu_float.tflite");
    CliRun f = run("convert", model.toString(), "--precision", "fp32", "--edgetpu", "--out", never.toString());
    assertEquals(2, f.exit());
    assertTrue(f.err().contains("--edgetpu needs a fully integer model"), f.err());
    assertFalse(Files.exists(never));
  }

  @Test
  void unknownPrecisionOrIoIsExitTwo() {
    Path target = tmp.resolve("never.tflite");
    CliRun p = run("convert", model.toString(), "--precision", "int4", "--out", target.toString());
    assertEquals(2, p.exit());
    assertTrue(p.err().contains("int4") && p.err().contains("fp32|fp16|dynamic|int8"), p.err());
    CliRun io = run("convert", model.toString(), "--precision", "int8", "--io", "int16", "--out", target.toString());
    assertEquals(2, io.exit());
    assertTrue(io.err().contains("int16"), io.err());
    CliRun mix = run("convert", model.toString(), "--precision", "fp32", "--io", "uint8", "--out", target.toString());
    assertEquals(2, mix.exit());
    assertFalse(Files.exists(target));
  }

  @Test
  void int8WithoutFakeQuantOrCalibrationDataIsExitTwo() {
    Path target = tmp.resolve("int8.tflite");
    CliRun r = run("convert", model.toString(), "--precision", "int8", "--out", target.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("no FakeQuant") && r.err().contains("calibration"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(Files.exists(target));
  }

  @Test
  void missingModelIsExitTwo() {
    CliRun r = run("convert", tmp.resolve("nope").toString(), "--precision", "fp32", "--out",
        tmp.resolve("x.tflite").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("nope"), r.err());
  }
}
