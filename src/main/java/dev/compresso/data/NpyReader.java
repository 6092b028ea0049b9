package dev.compresso.data;

import dev.compresso.BadInputException;
import dev.compresso.io.bounds.MemoryBudget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one {@code .npy} array from a stream into float32 values.
 *
 * <p>Follows <a href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html">
 * numpy.lib.format</a>: the magic {@code \x93NUMPY}, a major and minor version byte, the header length
 * (2 bytes little-endian in version 1.0, 4 bytes in 2.0 and 3.0), the header (latin-1 in 1.0 and 2.0,
 * UTF-8 in 3.0), then the raw elements. Arrays stored in Fortran order are transposed to C order. The
 * values are streamed straight into the float array: a file is never held in memory twice.
 */
final class NpyReader {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** The most elements one float array holds. */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
  private static final int CHUNK = 1 << 16;

  private NpyReader() {}

  /**
   * Reads the array from {@code in}, which must end where the array's data ends.
   *
   * @param where the file and array name, for messages
   * @throws BadInputException when the stream is not a supported, intact {@code .npy} array
   * @throws IOException when reading the stream fails
   */
  static NpyArray read(InputStream in, String name, String where) throws IOException {
    return read(in, name, where, -1);
  }

  /**
   * As {@link #read(InputStream, String, String)}, for a stream that holds at most {@code available} bytes (-1:
   * unknown): an array whose header declares more data than that is refused before anything is allocated, as is
   * one whose values would not fit the heap ({@link MemoryBudget}).
   */
  static NpyArray read(InputStream in, String name, String where, long available) throws IOException {
    byte[] prefix = readFully(in, 8, where, "the .npy magic and version");
    if (!Arrays.equals(Arrays.copyOf(prefix, 6), MAGIC)) {
      throw new BadInputException(where + ": not a .npy array (no \\x93NUMPY magic)");
    }
    int major = prefix[6] & 0xff;
    int minor = prefix[7] & 0xff;
    if (!(minor == 0 && major >= 1 && major <= 3)) {
      throw new BadInputException(String.format("%s: .npy format version %d.%d is not supported; accepted: 1.0, 2.0, 3.0",
          where, major, minor));
    }
    int lengthBytes = major == 1 ? 2 : 4;
    ByteBuffer len = ByteBuffer.wrap(readFully(in, lengthBytes, where, "the header length"))
        .order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = major == 1 ? len.getShort() & 0xffff : len.getInt() & 0xffffffffL;
    if (headerLength > 1 << 20) {
      throw new BadInputException(where + ": corrupt .npy header length " + headerLength);
    }
    byte[] headerBytes = readFully(in, (int) headerLength, where, "the header");
    String text = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    NpyHeader header = NpyHeader.parse(text, where);
    long count = header.count();
    if (count > MAX_ELEMENTS) {
      throw new BadInputException(String.format("%s: array %s has more elements than one Java array holds (%d)",
          where, header, MAX_ELEMENTS));
    }
    long dataBytes = MemoryBudget.times(count, header.dtype().itemSize());
    long room = available < 0 ? -1 : available - 8 - lengthBytes - headerLength;
    if (room >= 0 && (dataBytes < 0 || dataBytes > room)) {
      throw new BadInputException(String.format("%s: header declares %s (%s bytes of data) but the array holds at "
          + "most %,d bytes: the header is damaged or the data truncated", where, header,
          dataBytes < 0 ? "more than 2^63" : String.format("%,d", dataBytes), room));
    }
    MemoryBudget.require(MemoryBudget.times(count, header.fortranOrder() ? 8 : 4), where + ": the values of " + header);
    float[] values = readValues(in, header.dtype(), (int) count, where);
    if (in.read() != -1) {
      throw new BadInputException(String.format("%s: holds more bytes than its header declares (%s)", where, header));
    }
    if (header.fortranOrder() && header.shape().length > 1) {
      values = fortranToC(values, header.shape());
    }
    return new NpyArray(name, header.dtype(), header.shape(), values);
  }

  private static float[] readValues(InputStream in, NpyDtype dtype, int count, String where) throws IOException {
    float[] values = new float[count];
    int item = dtype.itemSize();
    byte[] chunk = new byte[Math.max(item, CHUNK - CHUNK % item)];
    ByteBuffer buffer = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    int done = 0;
    while (done < count) {
      int n = Math.min(count - done, chunk.length / item);
      int bytes = n * item;
      int got = in.readNBytes(chunk, 0, bytes);
      if (got < bytes) {
        throw new BadInputException(String.format("%s: truncated: %d %s elements declared, data ends after %d bytes",
            where, count, dtype.numpyName(), (long) done * item + got));
      }
      buffer.clear();
      for (int k = 0; k < n; k++) {
        values[done + k] = dtype.read(buffer);
      }
      done += n;
    }
    return values;
  }

  /** Reorders column-major values of {@code shape} into row-major order. */
  static float[] fortranToC(float[] f, long[] shape) {
    int rank = shape.length;
    long[] fstride = new long[rank];
    long s = 1;
    for (int d = 0; d < rank; d++) {
      fstride[d] = s;
      s *= shape[d];
    }
    float[] c = new float[f.length];
    long[] index = new long[rank];
    long offset = 0;
    for (int k = 0; k < c.length; k++) {
      c[k] = f[(int) offset];
      // advance the C-order odometer: last dimension fastest
      for (int d = rank - 1; d >= 0; d--) {
        index[d]++;
        offset += fstride[d];
        if (index[d] < shape[d]) {
          break;
        }
        offset -= fstride[d] * index[d];
        index[d] = 0;
      }
    }
    return c;
  }

  private static byte[] readFully(InputStream in, int n, String where, String what) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new BadInputException(String.format("%s: truncated .npy: ends inside %s", where, what));
    }
    return b;
  }
}
