package dev.compresso.fuzz;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads the members of a well-formed zip (a seed) and writes zips byte by byte, following PKWARE's APPNOTE
 * (local file headers, central directory, end record; no zip64), so that the fuzzer controls every field: a
 * member's declared sizes may lie, its data may be stored or deflated, and a deflated member may be a bomb
 * (a few kilobytes that inflate to hundreds of megabytes).
 */
final class ZipBytes {

  /**
   * One member as written.
   *
   * @param name its name
   * @param data its bytes as stored in the archive (deflated when {@code deflated})
   * @param deflated compression method 8 (else 0, stored)
   * @param crc the CRC-32 of the inflated bytes
   * @param declaredSize the uncompressed size written in both headers (may lie)
   */
  record Member(String name, byte[] data, boolean deflated, int crc, long declaredSize) {

    /** {@code content} stored or deflated, with its true CRC and size. */
    static Member of(String name, byte[] content, boolean deflate) {
      CRC32 crc = new CRC32();
      crc.update(content);
      return new Member(name, deflate ? deflate(content) : content, deflate, (int) crc.getValue(), content.length);
    }

    Member declaring(long size) {
      return new Member(name, data, deflated, crc, size);
    }
  }

  private ZipBytes() {}

  /** The members of {@code zip}, inflated, in archive order. */
  static Map<String, byte[]> members(byte[] zip) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        out.put(e.getName(), in.readAllBytes());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Whether the seed's first member is deflated (so a damaged copy keeps the seed's method). */
  static boolean deflated(byte[] zip) {
    return zip.length > 10 && (zip[8] & 0xff) == 8;
  }

  static byte[] deflate(byte[] content) {
    Deflater d = new Deflater(Deflater.BEST_SPEED, true);
    d.setInput(content);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }

  /**
   * A deflate stream (RFC 1951) of {@code size} zero bytes (a whole number of MiB), made without deflating them
   * all: one MiB of zeros deflated and fully flushed is a self-contained non-final block sequence, repeated, then
   * an empty final block. About a thousandth of {@code size} comes out.
   */
  static Member zeros(String name, long size) {
    return zeros(name, new byte[0], size);
  }

  /** As {@link #zeros(String, long)}, the zeros after {@code prefix} (a header that declares them). */
  static Member zeros(String name, byte[] prefix, long size) {
    byte[] block = new byte[1 << 20];
    byte[] buf = new byte[1 << 16];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CRC32 crc = new CRC32();
    if (prefix.length > 0) {
      Deflater p = new Deflater(Deflater.BEST_COMPRESSION, true);
      p.setInput(prefix);
      int m;
      do {
        m = p.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
        out.write(buf, 0, m);
      } while (m == buf.length || !p.needsInput());
      p.end();
      crc.update(prefix);
    }
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(block);
    ByteArrayOutputStream chunk = new ByteArrayOutputStream();
    int n;
    do {
      n = d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
      chunk.write(buf, 0, n);
    } while (n == buf.length || !d.needsInput());
    d.end();
    byte[] c = chunk.toByteArray();
    for (long left = size; left > 0; left -= block.length) {
      out.writeBytes(c);
      crc.update(block);
    }
    out.writeBytes(new byte[] {0x03, 0x00}); // an empty final block with fixed Huffman codes
    return new Member(name, out.toByteArray(), true, (int) crc.getValue(), prefix.length + size);
  }

  /** A zip archive of {@code members}. */
  static byte[] write(List<Member> members) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream central = new ByteArrayOutputStream();
    for (Member m : members) {
      byte[] name = m.name().getBytes(StandardCharsets.UTF_8);
      int offset = out.size();
      ByteBuffer local = le(30 + name.length);
      local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) (m.deflated() ? 8 : 0))
          .putInt(0).putInt(m.crc()).putInt(m.data().length).putInt((int) m.declaredSize())
          .putShort((short) name.length).putShort((short) 0).put(name);
      out.writeBytes(local.array());
      out.writeBytes(m.data());
      ByteBuffer c = le(46 + name.length);
      c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0)
          .putShort((short) (m.deflated() ? 8 : 0)).putInt(0).putInt(m.crc()).putInt(m.data().length)
          .putInt((int) m.declaredSize()).putShort((short) name.length).putShort((short) 0).putShort((short) 0)
          .putShort((short) 0).putShort((short) 0).putInt(0).putInt(offset).put(name);
      central.writeBytes(c.array());
    }
    int centralOffset = out.size();
    out.writeBytes(central.toByteArray());
    ByteBuffer end = le(22);
    end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) members.size())
        .putShort((short) members.size()).putInt(central.size()).putInt(centralOffset).putShort((short) 0);
    out.writeBytes(end.array());
    return out.toByteArray();
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
