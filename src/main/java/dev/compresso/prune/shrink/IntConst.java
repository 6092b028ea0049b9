package dev.compresso.prune.shrink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/** Reads and rewrites the values of an int32 {@code Const} node (TensorProto: tensor_content or int_val). */
final class IntConst {

  private IntConst() {}

  /** The values of {@code node}, or null when it is not an int32 Const. */
  static int[] values(NodeDef node) {
    if (!node.getOp().equals("Const") || !node.containsAttr("value")) {
      return null;
    }
    TensorProto t = node.getAttrOrThrow("value").getTensor();
    if (t.getDtype() != DataType.DT_INT32) {
      return null;
    }
    long n = 1;
    for (var d : t.getTensorShape().getDimList()) {
      n *= d.getSize();
    }
    int[] out = new int[(int) n];
    if (!t.getTensorContent().isEmpty()) {
      ByteBuffer b = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < out.length; i++) {
        out[i] = b.getInt();
      }
    } else {
      for (int i = 0; i < out.length; i++) {
        out[i] = t.getIntValCount() == 0 ? 0 : t.getIntVal(Math.min(i, t.getIntValCount() - 1));
      }
    }
    return out;
  }
}
