package dev.compresso.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Archive-level damage shared by {@code .keras} and {@code .npz} files: a member dropped, a member's declared
 * size changed (the central directory says 0 bytes, or 4 GB), a member replaced by a zip bomb (deflated zeros
 * that inflate to {@link #BOMB_BYTES}, declared truthfully or as a few bytes), the archive's bytes damaged or
 * cut short.
 */
final class ZipDamage {

  /** How. */
  enum Kind { DROP_MEMBER, SIZE_LIE, BOMB, ZIP_BYTES, TRUNCATE }

  /** What a bomb member inflates to: far more than a 256 MB heap holds. */
  static final long BOMB_BYTES = 600L << 20;

  private static final long[] SIZES = {0, 1, 7, 0x7fffffffL, 0xffffffffL, 1L << 31, 100};
  private static final Map<String, ZipBytes.Member> BOMBS = new ConcurrentHashMap<>();

  private ZipDamage() {}

  /**
   * Rebuilds {@code members} with {@code kind} applied to the member {@code victim}.
   *
   * @param original the seed's bytes, for raw damage
   */
  static byte[] damage(Map<String, byte[]> members, boolean deflate, String victim, Kind kind, byte[] original,
      Random r) {
    if (kind == Kind.ZIP_BYTES) {
      Mutator.Kind[] kinds = {Mutator.Kind.FLIP, Mutator.Kind.BYTES, Mutator.Kind.INT32, Mutator.Kind.CHUNK};
      return Mutator.mutate(original, kinds[r.nextInt(kinds.length)], r);
    }
    if (kind == Kind.TRUNCATE) {
      return Mutator.mutate(original, Mutator.Kind.TRUNCATE, r);
    }
    List<ZipBytes.Member> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> m : members.entrySet()) {
      if (!m.getKey().equals(victim)) {
        out.add(ZipBytes.Member.of(m.getKey(), m.getValue(), deflate));
        continue;
      }
      switch (kind) {
        case DROP_MEMBER -> {
          // left out
        }
        case SIZE_LIE -> out.add(ZipBytes.Member.of(m.getKey(), m.getValue(), deflate)
            .declaring(SIZES[r.nextInt(SIZES.length)]));
        case BOMB -> {
          // An array's bomb declares its zeros in a valid header: the reader must refuse it by the header.
          ZipBytes.Member bomb = BOMBS.computeIfAbsent(victim, v -> ZipBytes.zeros(v, v.endsWith(".npy")
              ? npyHeader(BOMB_BYTES / 4) : new byte[0], BOMB_BYTES));
          out.add(r.nextBoolean() ? bomb : bomb.declaring(m.getValue().length));
        }
        default -> throw new IllegalArgumentException(kind.toString());
      }
    }
    return ZipBytes.write(out);
  }

  /** A {@code .npy} version 1.0 header for {@code count} float32 values. */
  static byte[] npyHeader(long count) {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + count + ",), }";
    String padded = dict + " ".repeat((64 - (10 + dict.length() + 1) % 64) % 64) + "\n";
    byte[] h = padded.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] out = new byte[10 + h.length];
    out[0] = (byte) 0x93;
    System.arraycopy("NUMPY".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, out, 1, 5);
    out[6] = 1;
    out[8] = (byte) h.length;
    out[9] = (byte) (h.length >> 8);
    System.arraycopy(h, 0, out, 10, h.length);
    return out;
  }

  /** The archive rebuilt from {@code members} (one of them already damaged by the caller). */
  static byte[] rebuild(Map<String, byte[]> members, boolean deflate) {
    List<ZipBytes.Member> out = new ArrayList<>();
    members.forEach((name, bytes) -> out.add(ZipBytes.Member.of(name, bytes, deflate)));
    return ZipBytes.write(out);
  }
}
