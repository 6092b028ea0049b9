package dev.compresso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.model.TinySavedModels;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convert --precision int8 --calibration-data}: a calibrated conversion, and bad data as exit 2. */
class ConvertCalibrationTest {

  @TempDir static Path tmp;
  static Path model;

  @BeforeAll
  static void export() throws Exception {
    model = TinySavedModels.convDense(tmp.resolve("float"));
  }

  @Test
  void calibratesAndWritesAFullIntegerModel() throws Exception {
    Path data = npz(tmp.resolve("calib.npz"), 8, false);
    Path target = tmp.resolve("int8.tflite");
    CliRun r = run("convert", model.toString(), "--precision", "int8", "--io", "int8", "--calibration-data",
        data.toString(), "--out", target.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("int8"), r.out());
    assertTrue(Files.size(target) > 1000);
  }

  @Test
  void wrongShapeCalibrationDataIsExitTwo() {
    Path target = tmp.resolve("wrong.tflite");
    CliRun r = run("convert", model.toString(), "--precision", "int8", "--calibration-data",
        "synthetic:shapes?n=4&size=16", "--out", target.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("[16, 16, 1]") && r.err().contains("[8, 8, 4]"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(Files.exists(target));
  }

  @Test
  void nanCalibrationDataIsExitTwo() throws Exception {
    Path data = npz(tmp.resolve("nan.npz"), 3, true);
    Path target = tmp.resolve("nan.tflite");
    CliRun r = run("convert", model.toString(), "--precision", "int8", "--calibration-data", data.toString(),
        "--out", target.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("nan.npz") && r.err().toLowerCase().contains("nan"), r.err());
    assertFalse(Files.exists(target));
  }

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** A .npz with x [n, 8, 8, 4] float32 in [-1, 1] (one NaN in the last sample when asked) and y [n, 10]. */
  static Path npz(Path file, int n, boolean nan) throws IOException {
    Random rnd = new Random(3);
    float[] x = new float[n * TinySavedModels.H * TinySavedModels.W * TinySavedModels.C];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextFloat() * 2 - 1;
    }
    if (nan) {
      x[x.length - 5] = Float.NaN;
    }
    try (OutputStream o = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(o)) {
      entry(zip, "x", x, "(" + n + ", 8, 8, 4)");
      entry(zip, "y", new float[n * 10], "(" + n + ", 10)");
    }
    return file;
  }

  private static void entry(ZipOutputStream zip, String name, float[] values, String shape) throws IOException {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    int headerLen = 10 + dict.length() + 1;
    int pad = (64 - headerLen % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
    for (float v : values) {
      b.putFloat(v);
    }
    zip.putNextEntry(new ZipEntry(name + ".npy"));
    zip.write(b.array());
    zip.closeEntry();
  }
}
