package dev.compresso.io.bounds;

import dev.compresso.BadInputException;

/**
 * Whether an allocation an input asks for fits the heap this JVM may use ({@code -Xmx}): checked before the
 * allocation, so that a header declaring gigabytes is refused with its name instead of ending in an {@link
 * OutOfMemoryError} (which the JVM may raise anywhere, in another thread, or not at all before it swaps).
 */
public final class MemoryBudget {

  /** The share of the free heap one input's allocation may take: the rest is for the model and the batches. */
  static final double SHARE = 0.8;

  private MemoryBudget() {}

  /** Bytes of heap still free to allocate: the maximum heap less what is in use now. */
  public static long available() {
    Runtime rt = Runtime.getRuntime();
    return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
  }

  /**
   * Refuses an allocation of {@code bytes} that the heap cannot hold.
   *
   * @param what names the input and the item (file, array, record, image) that asks for it
   * @throws BadInputException naming {@code what}, the size and the heap limit
   */
  public static void require(long bytes, String what) {
    if (bytes < 0 || bytes > SHARE * available()) {
      // The free heap may be garbage not yet collected: collect once before refusing.
      System.gc();
      if (bytes < 0 || bytes > SHARE * available()) {
        throw new BadInputException(String.format("%s: needs %s of memory, more than this JVM may use (%s of heap "
            + "free, -Xmx %s); the size is damaged, or raise -Xmx", what, mib(bytes), mib(available()),
            mib(Runtime.getRuntime().maxMemory())));
      }
    }
  }

  /** {@code n * size} in bytes, or -1 when the product overflows a long. */
  public static long times(long n, long size) {
    if (n < 0 || size < 0) {
      return -1;
    }
    try {
      return Math.multiplyExact(n, size);
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  static String mib(long bytes) {
    return bytes < 0 ? "more than 8 EiB" : String.format("%,.1f MiB", bytes / 1048576.0);
  }
}
