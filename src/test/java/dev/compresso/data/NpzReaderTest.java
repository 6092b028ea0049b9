package dev.compresso.data;

import static dev.compresso.data.NpzFiles.f32;
import static dev.compresso.data.NpzFiles.f64;
import static dev.compresso.data.NpzFiles.i16;
import static dev.compresso.data.NpzFiles.i32;
import static dev.compresso.data.NpzFiles.i64;
import static dev.compresso.data.NpzFiles.npy;
import static dev.compresso.data.NpzFiles.u8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpzReaderTest {

  @TempDir Path dir;

  private static final long[] X_SHAPE = {3, 2};
  private static final float[] X_VALUES = {0f, 0.5f, 1f, -2f, 3.25f, 1e-3f};

  private Path twoArrays(NpzFiles files, boolean deflate) throws IOException {
    return files.write(dir.resolve(deflate ? "d.npz" : "s.npz"), deflate);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void readsFloat32AndFloat64StoredAndDeflated(boolean deflate) throws IOException {
    Path file = twoArrays(new NpzFiles().add("x", "<f4", X_SHAPE, f32(X_VALUES))
        .add("y", "<f8", new long[] {3, 1}, f64(0.1, -7.5, 1e10)), deflate);
    Dataset d = NpzReader.read(file);
    assertEquals(3, d.size());
    assertArrayEquals(new long[] {2}, d.inputShape());
    assertArrayEquals(new long[] {1}, d.targetShape());
    assertArrayEquals(X_VALUES, d.inputs());
    assertArrayEquals(new float[] {0.1f, -7.5f, 1e10f}, d.targets());
    assertEquals(List.of(), d.classNames());
    assertEquals(file.toString(), d.source());
  }

  @Test
  void readsEveryIntegerTypeAndBool() throws IOException {
    Path file = new NpzFiles()
        .add("x", npy(1, "|i1", false, new long[] {2, 2}, u8(-128, 127, 0, -1)))
        .add("y", "<i2", new long[] {2, 2}, i16(-32768, 32767, 0, -5))
        .write(dir.resolve("a.npz"), true);
    Dataset d = NpzReader.read(file);
    assertArrayEquals(new float[] {-128, 127, 0, -1}, d.inputs());
    assertArrayEquals(new float[] {-32768, 32767, 0, -5}, d.targets());

    file = new NpzFiles()
        .add("x", "<u2", new long[] {2, 2}, i16(65535, 0, 1, 40000))
        .add("y", "<i4", new long[] {2, 2}, i32(Integer.MIN_VALUE, 1 << 24, 3, -3))
        .write(dir.resolve("b.npz"), false);
    d = NpzReader.read(file);
    assertArrayEquals(new float[] {65535, 0, 1, 40000}, d.inputs());
    assertArrayEquals(new float[] {Integer.MIN_VALUE, 1 << 24, 3, -3}, d.targets());

    file = new NpzFiles()
        .add("x", "|b1", new long[] {2, 3}, u8(1, 0, 0, 0, 1, 1))
        .add("y", "<i8", new long[] {2, 1}, i64(-9L, 1L << 40))
        .write(dir.resolve("c.npz"), true);
    d = NpzReader.read(file);
    assertArrayEquals(new float[] {1, 0, 0, 0, 1, 1}, d.inputs());
    assertArrayEquals(new float[] {-9f, (float) (1L << 40)}, d.targets());
  }

  @Test
  void uint8StaysRawUnlessScalingAsked() throws IOException {
    Path file = new NpzFiles().add("x", "|u1", new long[] {2, 2}, u8(0, 255, 128, 51))
        .add("y", "|u1", new long[] {2, 1}, u8(0, 255)).write(dir.resolve("u.npz"), true);
    assertArrayEquals(new float[] {0, 255, 128, 51}, NpzReader.read(file).inputs());
    Dataset scaled = NpzReader.read(file, NpzReader.Uint8Scaling.SCALE_TO_UNIT);
    assertArrayEquals(new float[] {0, 1, 128 / 255f, 0.2f}, scaled.inputs(), 1e-7f);
    assertArrayEquals(new float[] {0, 1}, scaled.targets());
  }

  @Test
  void integerClassVectorBecomesOneHot() throws IOException {
    Path file = new NpzFiles().add("x", "<f4", X_SHAPE, f32(X_VALUES))
        .add("y", "|u1", new long[] {3}, u8(3, 0, 1)).write(dir.resolve("c.npz"), false);
    Dataset d = NpzReader.read(file, NpzReader.Uint8Scaling.SCALE_TO_UNIT);
    assertArrayEquals(new long[] {4}, d.targetShape());
    assertArrayEquals(new float[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0}, d.targets());
    assertEquals(List.of("0", "1", "2", "3"), d.classNames());
  }

  @Test
  void floatVectorTargetIsKeptAsScalars() throws IOException {
    Path file = new NpzFiles().add("x", "<f4", X_SHAPE, f32(X_VALUES))
        .add("y", "<f4", new long[] {3}, f32(3, 0, 1)).write(dir.resolve("r.npz"), false);
    Dataset d = NpzReader.read(file);
    assertArrayEquals(new long[0], d.targetShape());
    assertArrayEquals(new float[] {3, 0, 1}, d.targets());
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void readsFormatVersions2And3(int major) throws IOException {
    Path file = new NpzFiles().add("x", npy(major, "<f4", false, X_SHAPE, f32(X_VALUES)))
        .add("y", npy(major, "<i4", false, new long[] {3}, i32(0, 1, 0)))
        .write(dir.resolve("v" + major + ".npz"), true);
    Dataset d = NpzReader.read(file);
    assertArrayEquals(X_VALUES, d.inputs());
    assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0}, d.targets());
  }

  @Test
  void fortranOrderIsTransposedToC() throws IOException {
    // C-order [[[0,1,2],[3,4,5]]] with shape (1, 2, 3), written column-major: first index fastest
    float[] fortran = {0, 3, 1, 4, 2, 5};
    Path file = new NpzFiles().add("x", npy(1, "<f4", true, new long[] {1, 2, 3}, f32(fortran)))
        .add("y", "<f4", new long[] {1, 1}, f32(1)).write(dir.resolve("f.npz"), true);
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, NpzReader.read(file).inputs());
  }

  @Test
  void readsNpzWrittenByNumpySavezCompressed() throws Exception {
    Dataset d = NpzReader.read(resource("numpy_compressed.npz"));
    assertEquals(4, d.size());
    assertArrayEquals(new long[] {3, 2, 1}, d.inputShape());
    float[] x = d.inputs();
    for (int i = 0; i < x.length; i++) {
      assertEquals((i * 10) % 256, x[i], "x element " + i);
    }
    assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1}, d.targets());
    assertEquals(List.of("0", "1", "2"), d.classNames());
  }

  @Test
  void readsFortranOrderedNpzWrittenByNumpySavez() throws Exception {
    Dataset d = NpzReader.read(resource("numpy_stored.npz"));
    assertEquals(3, d.size());
    assertArrayEquals(new long[] {2, 2}, d.inputShape());
    float[] x = d.inputs();
    for (int i = 0; i < x.length; i++) {
      assertEquals(i / 4f, x[i], "x element " + i);
    }
    assertArrayEquals(new float[] {-1.5f, 0f, 2.25f}, d.targets());
  }

  @Test
  void missingArrayListsTheArraysFound() throws IOException {
    Path file = new NpzFiles().add("inputs", "<f4", X_SHAPE, f32(X_VALUES))
        .add("y", "<f4", new long[] {3}, f32(1, 2, 3)).write(dir.resolve("m.npz"), false);
    String msg = bad(file).getMessage();
    assertTrue(msg.contains(file.toString()) && msg.contains("'x'") && msg.contains("[inputs, y]"), msg);
  }

  @Test
  void sampleCountsMustMatch() throws IOException {
    Path file = new NpzFiles().add("x", "<f4", X_SHAPE, f32(X_VALUES))
        .add("y", "<f4", new long[] {2}, f32(1, 2)).write(dir.resolve("n.npz"), false);
    String msg = bad(file).getMessage();
    assertTrue(msg.contains(file.toString()) && msg.contains("3 samples") && msg.contains("[2]"), msg);
  }

  @Test
  void rejectsBadArraysNamingFileArrayAndWhatIsAccepted() throws IOException {
    byte[] y = npy(1, "<f4", false, new long[] {3}, f32(1, 2, 3));
    assertBad(new NpzFiles().add("x", "<f4", X_SHAPE, f32(1, 2, 3, 4, 5)).add("y", y), "truncated");
    assertBad(new NpzFiles().add("x", ">f4", X_SHAPE, f32(X_VALUES)).add("y", y), "big-endian");
    assertBad(new NpzFiles().add("x", "<c8", X_SHAPE, f32(X_VALUES)).add("y", y), "'<c8' is not supported");
    assertBad(new NpzFiles().add("x", "<u4", X_SHAPE, f32(X_VALUES)).add("y", y), "accepted: '<f4' float32");
    assertBad(new NpzFiles().add("x", "<f4", X_SHAPE, f32(1, 2, 3, 4, 5, 6, 7)).add("y", y), "more bytes");
    assertBad(new NpzFiles().add("x", NpzFiles.npyWithHeader(1, "{'descr': '<f4', 'shape': (3, 2)}", f32(X_VALUES)))
        .add("y", y), "expected exactly descr, fortran_order, shape");
    assertBad(new NpzFiles().add("x", NpzFiles.npyWithHeader(1, "{'descr': [('a', '<f4')], 'fortran_order': False, "
        + "'shape': (3,)}", f32(1, 2, 3))).add("y", y), "structured dtype");
    assertBad(new NpzFiles().add("x", NpzFiles.npyWithHeader(1, "{'descr': '<f4', 'fortran_order': False, "
        + "'shape': (3, 2}", f32(X_VALUES))).add("y", y), "corrupt .npy header");
    assertBad(new NpzFiles().add("x", "<f4", X_SHAPE, f32(1, 2, Float.NaN, 4, 5, 6)).add("y", y), "NaN");
    assertBad(new NpzFiles().add("x", "<f8", X_SHAPE, f64(1, 2, 1e300, 4, 5, 6)).add("y", y), "Infinity");
    assertBad(new NpzFiles().add("x", "<f4", X_SHAPE, f32(X_VALUES))
        .add("y", "<i4", new long[] {3}, i32(0, -1, 2)), "class index -1 at sample 1");
    assertBad(new NpzFiles().add("x", "<f4", new long[] {1L << 40, 1L << 40}, f32(1)).add("y", y),
        "more elements than one Java array holds");
    assertBad(new NpzFiles().add("x", "<f4", new long[] {1L << 40, 1L << 40, 1L << 40}, f32(1)).add("y", y),
        "more elements than one Java array holds");
    byte[] notNpy = "just text, no magic".getBytes();
    assertBad(new NpzFiles().add("x", notNpy).add("y", y), "not a .npy array");
    byte[] version4 = npy(1, "<f4", false, X_SHAPE, f32(X_VALUES));
    version4[6] = 4;
    assertBad(new NpzFiles().add("x", version4).add("y", y), "version 4.0");
  }

  @Test
  void rejectsCorruptAndMissingFilesNamingThePath() throws IOException {
    Path garbage = Files.write(dir.resolve("garbage.npz"), "this is not a zip archive at all".getBytes());
    assertTrue(bad(garbage).getMessage().contains(garbage.toString()));

    byte[] good = Files.readAllBytes(new NpzFiles().add("x", "<f4", X_SHAPE, f32(X_VALUES))
        .add("y", "<f4", new long[] {3}, f32(1, 2, 3)).write(dir.resolve("good.npz"), true));
    Path cut = Files.write(dir.resolve("cut.npz"), java.util.Arrays.copyOf(good, good.length / 2));
    assertTrue(bad(cut).getMessage().contains(cut.toString()));

    // flip bytes inside the deflated data of the first entry: the inflater or the CRC check must object
    byte[] flipped = good.clone();
    for (int i = 60; i < 90; i++) {
      flipped[i] ^= 0x5a;
    }
    Path corrupt = Files.write(dir.resolve("corrupt.npz"), flipped);
    assertTrue(bad(corrupt).getMessage().contains(corrupt.toString()));

    Path missing = dir.resolve("nope.npz");
    assertTrue(bad(missing).getMessage().contains(missing.toString()));
  }

  private void assertBad(NpzFiles files, String expected) throws IOException {
    Path file = files.write(Files.createTempFile(dir, "bad", ".npz"), true);
    String msg = bad(file).getMessage();
    assertTrue(msg.contains(file.toString()), msg);
    assertTrue(msg.contains(expected), "expected '" + expected + "' in: " + msg);
  }

  private static BadInputException bad(Path file) {
    return assertThrows(BadInputException.class, () -> NpzReader.read(file));
  }

  static Path resource(String name) throws URISyntaxException {
    return Path.of(NpzReaderTest.class.getResource("/data/" + name).toURI());
  }
}
