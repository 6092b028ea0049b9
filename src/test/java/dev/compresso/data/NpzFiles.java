package dev.compresso.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Test fixture: writes .npy arrays with hand-made headers and zips them into .npz files. */
final class NpzFiles {

  private final Map<String, byte[]> arrays = new LinkedHashMap<>();

  /** Adds {@code name.npy} with a format 1.0 C-order header. */
  NpzFiles add(String name, String descr, long[] shape, byte[] data) {
    return add(name, npy(1, descr, false, shape, data));
  }

  /** Adds {@code name.npy} with the given raw bytes. */
  NpzFiles add(String name, byte[] npy) {
    arrays.put(name + ".npy", npy);
    return this;
  }

  /** Writes the archive; {@code deflate} chooses deflated (savez_compressed) or stored (savez) entries. */
  Path write(Path file, boolean deflate) throws IOException {
    try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> a : arrays.entrySet()) {
        ZipEntry e = new ZipEntry(a.getKey());
        byte[] bytes = a.getValue();
        if (!deflate) {
          CRC32 crc = new CRC32();
          crc.update(bytes);
          e.setMethod(ZipEntry.STORED);
          e.setSize(bytes.length);
          e.setCompressedSize(bytes.length);
          e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
      }
    }
    return file;
  }

  /** A complete .npy file of the given format version, header padded to 64 bytes as NumPy does. */
  static byte[] npy(int major, String descr, boolean fortran, long[] shape, byte[] data) {
    StringBuilder dims = new StringBuilder("(");
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    if (shape.length > 0) {
      dims.setLength(dims.length() - 2);
    }
    if (shape.length == 1) {
      dims.append(',');
    }
    dims.append(')');
    String dict = String.format("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr,
        fortran ? "True" : "False", dims);
    return npyWithHeader(major, dict, data);
  }

  /** A .npy file with an arbitrary header text. */
  static byte[] npyWithHeader(int major, String dict, byte[] data) {
    int prefix = 6 + 2 + (major == 1 ? 2 : 4);
    byte[] text = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    int total = prefix + text.length + 1;
    int padded = (total + 63) / 64 * 64;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    int headerLength = padded - prefix;
    ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
    if (major == 1) {
      len.putShort((short) headerLength);
    } else {
      len.putInt(headerLength);
    }
    out.writeBytes(len.array());
    out.writeBytes(text);
    for (int i = total; i < padded; i++) {
      out.write(' ');
    }
    out.write('\n');
    out.writeBytes(data);
    return out.toByteArray();
  }

  static byte[] f32(float... v) {
    ByteBuffer b = le(v.length * 4);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  static byte[] f64(double... v) {
    ByteBuffer b = le(v.length * 8);
    for (double d : v) {
      b.putDouble(d);
    }
    return b.array();
  }

  static byte[] i16(int... v) {
    ByteBuffer b = le(v.length * 2);
    for (int x : v) {
      b.putShort((short) x);
    }
    return b.array();
  }

  static byte[] i32(int... v) {
    ByteBuffer b = le(v.length * 4);
    for (int x : v) {
      b.putInt(x);
    }
    return b.array();
  }

  static byte[] i64(long... v) {
    ByteBuffer b = le(v.length * 8);
    for (long x : v) {
      b.putLong(x);
    }
    return b.array();
  }

  static byte[] u8(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  private static ByteBuffer le(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }
}
