package dev.compresso.data;

import dev.compresso.io.AtomicOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes float32 arrays as a NumPy {@code .npz} (a zip of {@code .npy} files, format version 1.0,
 * little-endian {@code <f4}, C order), readable by {@code numpy.load} and by {@link NpzReader}. The file
 * is written atomically.
 */
public final class NpzWriter {

  private record Array(String name, long[] shape, float[] values) {}

  private final Map<String, Array> arrays = new LinkedHashMap<>();

  /** Adds an array; {@code values.length} must equal the product of {@code shape}. */
  public NpzWriter add(String name, float[] values, long... shape) {
    if (Dataset.elements(shape) != values.length) {
      throw new IllegalArgumentException(String.format("array %s: %d values do not fill shape %s", name,
          values.length, java.util.Arrays.toString(shape)));
    }
    arrays.put(name, new Array(name, shape.clone(), values));
    return this;
  }

  /** Writes every array added to {@code file}. */
  public void write(Path file) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Array a : arrays.values()) {
        zip.putNextEntry(new ZipEntry(a.name() + ".npy"));
        zip.write(npy(a.shape(), a.values()));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AtomicOutput.writeFile(file, bytes.toByteArray());
  }

  /** One {@code .npy} file: magic, version 1.0, a header padded to 64 bytes, the data. */
  static byte[] npy(long[] shape, float[] values) {
    StringJoiner dims = new StringJoiner(", ", "(", shape.length == 1 ? ",)" : ")");
    for (long d : shape) {
      dims.add(Long.toString(d));
    }
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + ", }";
    int unpadded = 10 + dict.length() + 1;
    String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }
}
