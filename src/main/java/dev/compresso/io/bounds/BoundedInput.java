package dev.compresso.io.bounds;

import dev.compresso.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Reads a stream that may inflate to more than it should (a zip bomb, a member whose declared size lies) with a
 * limit: past {@code limit} bytes it throws a {@link BadInputException} naming the input, so a few kilobytes of
 * deflated zeros cannot fill the heap or the disk.
 */
public final class BoundedInput extends FilterInputStream {

  private final long limit;
  private final String what;
  private long count;

  /** Wraps {@code in}; {@code what} names the input in the message. */
  public BoundedInput(InputStream in, long limit, String what) {
    super(in);
    this.limit = limit;
    this.what = what;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      count(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      count(n);
    }
    return n;
  }

  private void count(int n) {
    count += n;
    if (count > limit) {
      throw new BadInputException(String.format("%s: inflates to more than %,d bytes (a zip bomb, or a damaged "
          + "size)", what, limit));
    }
  }

  /** All of {@code in} in memory, at most {@code limit} bytes (checked against the heap first). */
  public static byte[] readAll(InputStream in, long limit, String what) throws IOException {
    MemoryBudget.require(Math.min(limit, 1L << 26), what);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BoundedInput(in, limit, what).transferTo(out);
    return out.toByteArray();
  }

  /** Copies {@code in} to {@code out}, at most {@code limit} bytes. */
  public static long copy(InputStream in, OutputStream out, long limit, String what) throws IOException {
    return new BoundedInput(in, limit, what).transferTo(out);
  }
}
