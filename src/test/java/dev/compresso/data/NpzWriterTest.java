package dev.compresso.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzWriterTest {

  @TempDir Path dir;

  @Test
  void whatItWritesTheReaderReadsBack() {
    float[] x = {0f, 0.5f, 1f, -2f, 3.25f, Float.MIN_VALUE};
    float[] y = {1f, 0f};
    Path f = dir.resolve("p.npz");
    new NpzWriter().add("x", x, 2, 3).add("y", y, 2).add("extra", new float[] {7f}, 1).write(f);
    Dataset d = NpzReader.read(f);
    assertEquals(2, d.size());
    assertArrayEquals(new long[] {3}, d.inputShape());
    assertArrayEquals(x, d.inputs());
    assertArrayEquals(y, d.targets());
  }

  @Test
  void headersAreSixtyFourByteAligned() {
    byte[] npy = NpzWriter.npy(new long[] {5}, new float[5]);
    int headerLength = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
    assertEquals(0, (10 + headerLength) % 64);
    assertEquals('\n', npy[10 + headerLength - 1]);
    assertEquals(10 + headerLength + 20, npy.length);
  }

  @Test
  void shapeAndValuesMustAgree() {
    assertThrows(IllegalArgumentException.class, () -> new NpzWriter().add("x", new float[3], 2, 2));
  }
}
