package dev.compresso.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Damages a PNG (ISO/IEC 15948) by its chunks, CRCs kept right so the decoder believes them: the IHDR's width and
 * height set huge (a decompression bomb's header: gigapixels declared, a few bytes of data), its bit depth or
 * colour type changed to other (valid or invalid) values, a chunk's length field set beyond the file; or a real
 * bomb, a valid gray PNG of {@link #BOMB_SIDE} squared pixels whose image data is deflated zeros.
 */
final class PngDamage {

  /** How. */
  enum Kind { IHDR_SIZE, IHDR_DEPTH, CHUNK_LENGTH, BOMB }

  /** The bomb's side in pixels: 400 million gray pixels, about 400 KB of file. */
  static final int BOMB_SIDE = 20_000;

  private static final int[] SIDES = {0, 1, 65_535, 100_000, 1 << 24, 0x7fffffff, -1, 46_341};
  private static final int[] DEPTHS = {1, 2, 4, 8, 16, 3, 0, 32};
  private static final int[] COLOR_TYPES = {0, 2, 3, 4, 6, 1, 5, 7};
  private static volatile byte[] bomb;

  private PngDamage() {}

  static byte[] mutate(byte[] png, Kind kind, Random r) {
    if (kind == Kind.BOMB) {
      return bomb();
    }
    if (png.length < 33) {
      return Mutator.mutate(png, Mutator.Kind.BYTES, r);
    }
    byte[] b = png.clone();
    ByteBuffer bb = ByteBuffer.wrap(b);
    switch (kind) {
      case IHDR_SIZE -> {
        if (r.nextBoolean()) {
          bb.putInt(16, SIDES[r.nextInt(SIDES.length)]);
        }
        bb.putInt(20, SIDES[r.nextInt(SIDES.length)]);
      }
      case IHDR_DEPTH -> {
        if (r.nextBoolean()) {
          b[24] = (byte) DEPTHS[r.nextInt(DEPTHS.length)];
        } else {
          b[25] = (byte) COLOR_TYPES[r.nextInt(COLOR_TYPES.length)];
        }
      }
      case CHUNK_LENGTH -> {
        int at = 8;
        int chunks = 0;
        while (at + 8 <= b.length && chunks < 8) {
          chunks++;
          if (r.nextInt(3) == 0 || at + 12 + bb.getInt(at) > b.length - 12) {
            bb.putInt(at, SIDES[r.nextInt(SIDES.length)]);
            return b;
          }
          at += 12 + bb.getInt(at);
        }
      }
      default -> throw new IllegalArgumentException(kind.toString());
    }
    CRC32 crc = new CRC32();
    crc.update(b, 12, 17);
    bb.putInt(29, (int) crc.getValue());
    return b;
  }

  private static byte[] bomb() {
    if (bomb == null) {
      long raw = (long) BOMB_SIDE * (BOMB_SIDE + 1); // a filter byte (0) per row, then the zero pixels
      byte[] idat = ZipBytes.zeros("IDAT", raw).data();
      java.util.zip.Adler32 adler = new java.util.zip.Adler32();
      byte[] zeros = new byte[1 << 20];
      for (long left = raw; left > 0; left -= zeros.length) {
        adler.update(zeros, 0, (int) Math.min(left, zeros.length));
      }
      ByteArrayOutputStream z = new ByteArrayOutputStream();
      z.write(0x78);
      z.write(0xda);
      z.writeBytes(idat);
      z.writeBytes(ByteBuffer.allocate(4).putInt((int) adler.getValue()).array());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
      chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(BOMB_SIDE).putInt(BOMB_SIDE).put((byte) 8).put((byte) 0)
          .put((byte) 0).put((byte) 0).put((byte) 0).array());
      chunk(out, "IDAT", z.toByteArray());
      chunk(out, "IEND", new byte[0]);
      bomb = out.toByteArray();
    }
    return bomb;
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
