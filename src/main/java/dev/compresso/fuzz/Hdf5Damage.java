package dev.compresso.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Damages an HDF5 file (a Keras {@code .h5}, or the {@code model.weights.h5} inside a {@code .keras}) where its
 * readers are weakest (HDF5 file format specification 3.0): the superblock and object headers near the start,
 * the 8-byte sizes, addresses and dataspace dimensions (small aligned values set to huge ones), the datatype
 * class bytes (an attribute's or dataset's type swapped), and the digits of the {@code model_config} attribute
 * (a config that no longer fits its weights).
 */
final class Hdf5Damage {

  /** How. */
  enum Kind { HEAD_FLIP, SIZE_WORD, TYPE_BYTE, CONFIG_DIGITS, TRUNCATE, BYTES }

  private static final long[] HUGE = {1L << 31, 1L << 32, 1L << 40, Long.MAX_VALUE, -1L, 0x7fffffffL, 1L << 28,
      0};

  private Hdf5Damage() {}

  static byte[] mutate(byte[] h5, Kind kind, Random r) {
    byte[] b = h5.clone();
    switch (kind) {
      case HEAD_FLIP -> {
        int span = Math.min(b.length, 4096);
        for (int i = 1 + r.nextInt(3); i > 0; i--) {
          b[r.nextInt(span)] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case SIZE_WORD -> {
        List<Integer> small = new ArrayList<>();
        for (int at = 0; at + 8 <= b.length; at += 8) {
          long v = word(b, at);
          if (v > 0 && v <= 1 << 16) {
            small.add(at);
          }
        }
        if (small.isEmpty()) {
          return Mutator.mutate(h5, Mutator.Kind.INT32, r);
        }
        int at = small.get(r.nextInt(small.size()));
        long v = HUGE[r.nextInt(HUGE.length)];
        for (int i = 0; i < 8; i++) {
          b[at + i] = (byte) (v >>> (8 * i));
        }
      }
      case TYPE_BYTE -> {
        // Datatype message: class and version in one byte (version 1..3 high nibble, class 0..10 low nibble).
        List<Integer> types = new ArrayList<>();
        for (int at = 0; at < b.length; at++) {
          int v = b[at] & 0xff;
          if ((v >> 4) >= 1 && (v >> 4) <= 3 && (v & 0xf) <= 10 && at + 4 < b.length && (b[at + 1] & 0xff) < 0x20) {
            types.add(at);
          }
        }
        if (types.isEmpty()) {
          return Mutator.mutate(h5, Mutator.Kind.BYTES, r);
        }
        int at = types.get(r.nextInt(types.size()));
        b[at] = (byte) ((b[at] & 0xf0) | r.nextInt(11));
      }
      case CONFIG_DIGITS -> {
        int from = indexOf(b, "\"config\"");
        if (from < 0) {
          return Mutator.mutate(h5, Mutator.Kind.BYTES, r);
        }
        List<Integer> digits = new ArrayList<>();
        for (int at = from; at < b.length && digits.size() < 20_000; at++) {
          if (b[at] >= '0' && b[at] <= '9') {
            digits.add(at);
          }
        }
        for (int i = 1 + r.nextInt(2); i > 0 && !digits.isEmpty(); i--) {
          b[digits.get(r.nextInt(digits.size()))] = (byte) ('0' + r.nextInt(10));
        }
      }
      case TRUNCATE -> {
        return Mutator.mutate(h5, Mutator.Kind.TRUNCATE, r);
      }
      default -> {
        Mutator.Kind[] kinds = Mutator.Kind.values();
        return Mutator.mutate(h5, kinds[r.nextInt(kinds.length)], r);
      }
    }
    return b;
  }

  private static long word(byte[] b, int at) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[at + i] & 0xff);
    }
    return v;
  }

  static int indexOf(byte[] b, String text) {
    byte[] t = text.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + t.length <= b.length; i++) {
      for (int j = 0; j < t.length; j++) {
        if (b[i + j] != t[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
