package dev.compresso.io.bounds;

import java.util.zip.ZipEntry;

/**
 * What a zip member can hold (PKWARE APPNOTE 4.4): a stored member exactly its compressed size, a deflated one at
 * most {@link #DEFLATE_RATIO} times it (RFC 1951: a 258-byte match costs at least two bits, so no stream inflates
 * further), and never more than its declared uncompressed size when one is declared.
 */
public final class ZipLimits {

  /** Deflate's largest possible expansion, about 1032:1. */
  public static final long DEFLATE_RATIO = 1032;

  private ZipLimits() {}

  /** The most bytes {@code e} can inflate to, or -1 when the archive says nothing usable about it. */
  public static long maxInflated(ZipEntry e) {
    long compressed = e.getCompressedSize();
    long declared = e.getSize();
    long bound;
    if (e.getMethod() == ZipEntry.STORED) {
      bound = compressed >= 0 ? compressed : declared;
    } else {
      bound = compressed >= 0 ? MemoryBudget.times(compressed, DEFLATE_RATIO) : -1;
      if (declared >= 0 && (bound < 0 || declared < bound)) {
        bound = declared;
      }
    }
    return bound;
  }
}
