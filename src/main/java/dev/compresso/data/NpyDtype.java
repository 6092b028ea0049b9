package dev.compresso.data;

import dev.compresso.BadInputException;
import java.nio.ByteBuffer;

/**
 * The element types of {@code .npy} arrays Compresso reads, keyed by the type code of NumPy's array
 * interface ({@code descr} in the header: byte order, kind, item size; e.g. {@code '<f4'}).
 *
 * <p>Multi-byte types must be little-endian ({@code '<'}), the order NumPy writes on every platform
 * TensorFlow runs on; single-byte types accept any order mark ({@code '|'} is what NumPy writes).
 * Follows <a href="https://numpy.org/doc/stable/reference/arrays.interface.html">the array interface
 * type strings</a>.
 */
public enum NpyDtype {
  BOOL("b1", true),
  INT8("i1", true),
  UINT8("u1", true),
  INT16("i2", true),
  UINT16("u2", true),
  INT32("i4", true),
  INT64("i8", true),
  FLOAT32("f4", false),
  FLOAT64("f8", false);

  /** What {@link #parse} accepts, for messages. */
  public static final String ACCEPTED = "'<f4' float32, '<f8' float64, '|u1' uint8, '|i1' int8, '<i2' int16, "
      + "'<i4' int32, '<i8' int64, '<u2' uint16, '|b1' bool";

  private final String code;
  private final boolean integral;

  NpyDtype(String code, boolean integral) {
    this.code = code;
    this.integral = integral;
  }

  /** Bytes per element. */
  public int itemSize() {
    return code.charAt(1) - '0';
  }

  /** True for bool and the integer types, whose values are exact small integers. */
  public boolean integral() {
    return integral;
  }

  /** True for the integer types (not bool). */
  public boolean integer() {
    return integral && this != BOOL;
  }

  /**
   * The type named by a header's {@code descr}.
   *
   * @param where the file and array, for the message
   * @throws BadInputException for big-endian, structured or unsupported types, listing {@link #ACCEPTED}
   */
  public static NpyDtype parse(String descr, String where) {
    if (descr.length() == 3) {
      char order = descr.charAt(0);
      String code = descr.substring(1);
      for (NpyDtype t : values()) {
        if (t.code.equals(code)) {
          if (t.itemSize() == 1 || order == '<') {
            return t;
          }
          if (order == '>') {
            throw new BadInputException(String.format(
                "%s: dtype '%s' is big-endian; save it little-endian (arr.astype('<%s')). Accepted: %s",
                where, descr, code, ACCEPTED));
          }
        }
      }
    }
    throw new BadInputException(String.format("%s: dtype '%s' is not supported; accepted: %s", where, descr,
        ACCEPTED));
  }

  /** Reads one element from a little-endian buffer as a float (bool: 0 or 1; int64 rounds). */
  float read(ByteBuffer b) {
    return switch (this) {
      case BOOL -> b.get() != 0 ? 1f : 0f;
      case INT8 -> b.get();
      case UINT8 -> b.get() & 0xff;
      case INT16 -> b.getShort();
      case UINT16 -> b.getShort() & 0xffff;
      case INT32 -> b.getInt();
      case INT64 -> b.getLong();
      case FLOAT32 -> b.getFloat();
      case FLOAT64 -> (float) b.getDouble();
    };
  }

  /** NumPy's name for the type. */
  public String numpyName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
