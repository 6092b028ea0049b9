package dev.compresso.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * The values of an integer {@code Const} node, as TensorFlow's {@code TensorProto} stores them: little-endian
 * {@code tensor_content}, or {@code int_val} / {@code int64_val} where a repeated last value fills the rest
 * (the compact form) and an empty list means zeros. The one reader of shape, axis and size constants.
 */
public final class IntConstants {

  private IntConstants() {}

  /** The values of an int32 or int64 {@code Const}; null for any other node or a malformed tensor. */
  public static long[] of(NodeDef n) {
    if (n == null || !n.getOp().equals("Const") || !n.containsAttr("value")) {
      return null;
    }
    TensorProto t = n.getAttrOrThrow("value").getTensor();
    int width = switch (t.getDtype()) {
      case DT_INT32 -> 4;
      case DT_INT64 -> 8;
      default -> 0;
    };
    if (width == 0) {
      return null;
    }
    long count = 1;
    for (var d : t.getTensorShape().getDimList()) {
      count *= d.getSize();
    }
    if (count < 0 || count > Integer.MAX_VALUE) {
      return null;
    }
    long[] out = new long[(int) count];
    if (!t.getTensorContent().isEmpty()) {
      ByteBuffer b = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      if (b.remaining() != width * count) {
        return null;
      }
      for (int i = 0; i < out.length; i++) {
        out[i] = width == 4 ? b.getInt() : b.getLong();
      }
      return out;
    }
    int listed = width == 4 ? t.getIntValCount() : t.getInt64ValCount();
    if (listed > count) {
      return null;
    }
    for (int i = 0; i < out.length && listed > 0; i++) {
      int k = Math.min(i, listed - 1);
      out[i] = width == 4 ? t.getIntVal(k) : t.getInt64Val(k);
    }
    return out;
  }

  /** The values of an int32 {@code Const}; null for anything else (an int64 one included). */
  public static int[] int32(NodeDef n) {
    long[] v = of(n);
    if (v == null || n.getAttrOrThrow("value").getTensor().getDtype() != DataType.DT_INT32) {
      return null;
    }
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (int) v[i];
    }
    return out;
  }
}
