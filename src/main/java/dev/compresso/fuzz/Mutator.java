package dev.compresso.fuzz;

import java.util.Arrays;
import java.util.Random;

/**
 * Damages a file's bytes the way disks, truncated downloads and hostile writers do. Every mutation is a
 * pure function of the input and the {@link Random}, so a case number and a seed reproduce it.
 *
 * <p>Besides blind byte damage, {@link Kind#INT32} writes boundary values (0, -1, 2^31-1, 2^31, small
 * and large counts) at 4-byte aligned offsets: in a FlatBuffer those are the offsets, vector lengths,
 * tensor/buffer/opcode indices and shape dimensions the readers must bound-check.
 */
public final class Mutator {

  /** How a file is damaged. */
  public enum Kind {
    /** 1-4 single-bit flips. */
    FLIP,
    /** 1-8 bytes replaced with random values. */
    BYTES,
    /** One aligned 32-bit little-endian word replaced with a boundary value. */
    INT32,
    /** Cut at a random length (empty included). */
    TRUNCATE,
    /** A random range zeroed, or copied over another place. */
    CHUNK,
    /** The 4-byte file identifier at offset 4 ("TFL3") changed; for protobufs the first bytes. */
    HEADER
  }

  private static final int[] BOUNDARY = {0, 1, -1, 2, 3, 4, 7, 8, 255, 256, 1 << 16, 0x7fffffff, 0x80000000,
      0x7ffffff0, 1 << 28, 0x40000000, -2, -1000};

  private Mutator() {}

  /** A damaged copy of {@code original} of kind {@code kind}. */
  public static byte[] mutate(byte[] original, Kind kind, Random r) {
    byte[] b = original.clone();
    if (b.length == 0) {
      return b;
    }
    switch (kind) {
      case FLIP -> {
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips; i++) {
          int at = r.nextInt(b.length);
          b[at] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case BYTES -> {
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
      }
      case INT32 -> {
        if (b.length >= 4) {
          // Most structure sits in the first and last few hundred bytes (tables, vtables, vectors of offsets).
          int words = b.length / 4;
          int word = r.nextBoolean() ? r.nextInt(Math.min(words, 128)) : r.nextInt(words);
          if (r.nextInt(4) == 0) {
            word = words - 1 - r.nextInt(Math.min(words, 256));
          }
          int v = r.nextInt(3) == 0 ? r.nextInt() : BOUNDARY[r.nextInt(BOUNDARY.length)];
          int at = word * 4;
          b[at] = (byte) v;
          b[at + 1] = (byte) (v >>> 8);
          b[at + 2] = (byte) (v >>> 16);
          b[at + 3] = (byte) (v >>> 24);
        }
      }
      case TRUNCATE -> b = Arrays.copyOf(b, r.nextInt(b.length));
      case CHUNK -> {
        int len = 1 + r.nextInt(Math.min(b.length, 64));
        int from = r.nextInt(b.length - len + 1);
        if (r.nextBoolean()) {
          Arrays.fill(b, from, from + len, (byte) 0);
        } else {
          int to = r.nextInt(b.length - len + 1);
          System.arraycopy(original, from, b, to, len);
        }
      }
      case HEADER -> {
        int at = b.length >= 8 && r.nextBoolean() ? 4 + r.nextInt(4) : r.nextInt(Math.min(b.length, 8));
        b[at] = (byte) (b[at] + 1 + r.nextInt(255));
      }
      default -> throw new IllegalArgumentException(kind.toString());
    }
    return b;
  }
}
