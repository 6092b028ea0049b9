package dev.compresso.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Rewrites the header of a {@code .npy} array (numpy.lib.format) with an absurd shape, dtype or order while
 * keeping the data, so the reader must check what the header declares against what the member holds: shapes of
 * 2^31 or 2^62 elements, negative or zero dimensions, products that overflow a long, a rank of 40; dtypes that
 * are big-endian, complex, strings, objects or unknown.
 */
final class NpyDamage {

  private static final String[] SHAPES = {"(2147483648, 8, 8, 1)", "(4611686018427387904,)", "(12, -1)", "(0,)",
      "()", "(12, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
      + "1, 1, 1, 1, 1, 1)", "(65536, 65536, 65536)", "(12, 8, 8, 2)", "(3000000, 8, 8, 1)", "(12,)", "(13, 8, 8, 1)",
      "(12, 8, 8)", "(9223372036854775807, 2)", "(12, 3, 1e3)", "[12, 3]", "(12, 'a')"};
  private static final String[] DTYPES = {"<f8", "|u1", "<i8", "|b1", "<U8", "|O", ">f4", "<c8", "<f2", "<V4",
      "bogus", "<f16", "<M8[s]", "|S3", "<i2"};

  private NpyDamage() {}

  /** {@code npy} with a damaged header (the data left as it was). */
  static byte[] mutate(byte[] npy, Random r) {
    if (npy.length < 10) {
      return Mutator.mutate(npy, Mutator.Kind.BYTES, r);
    }
    int headerLength = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
    int dataStart = Math.min(npy.length, 10 + headerLength);
    String header = new String(npy, 10, dataStart - 10, StandardCharsets.ISO_8859_1);
    String descr = field(header, "descr", "'<f4'");
    String order = field(header, "fortran_order", "False");
    String shape = field(header, "shape", "(1,)");
    switch (r.nextInt(5)) {
      case 0, 1 -> shape = SHAPES[r.nextInt(SHAPES.length)];
      case 2 -> descr = "'" + DTYPES[r.nextInt(DTYPES.length)] + "'";
      case 3 -> order = order.equals("False") ? "True" : "False";
      default -> {
        shape = SHAPES[r.nextInt(SHAPES.length)];
        descr = "'" + DTYPES[r.nextInt(DTYPES.length)] + "'";
      }
    }
    String dict = "{'descr': " + descr + ", 'fortran_order': " + order + ", 'shape': " + shape + ", }";
    int unpadded = 10 + dict.length() + 1;
    String padded = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    byte[] h = padded.getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(npy, 0, 8);
    out.writeBytes(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) h.length).array());
    out.writeBytes(h);
    out.write(npy, dataStart, npy.length - dataStart);
    return out.toByteArray();
  }

  /** The value text of {@code key} in a header dict (up to the next top-level comma), or {@code fallback}. */
  private static String field(String header, String key, String fallback) {
    int at = header.indexOf("'" + key + "':");
    if (at < 0) {
      return fallback;
    }
    int from = at + key.length() + 3;
    int depth = 0;
    for (int i = from; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c == '(' || c == '[') {
        depth++;
      } else if (c == ')' || c == ']') {
        depth--;
      } else if ((c == ',' || c == '}') && depth == 0) {
        return header.substring(from, i).strip();
      }
    }
    return fallback;
  }
}
