package dev.compresso.tflite.convert;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * A frozen graph with every float32 constant rounded to the nearest float16 value (IEEE 754 binary16,
 * round half to even), i.e. the weights an fp16 .tflite stores, still computed in float32: the TF-side
 * reference for what the fp16 model should compute.
 */
final class Float16Weights {

  private Float16Weights() {}

  static GraphDef round(GraphDef graph) {
    GraphDef.Builder b = graph.toBuilder();
    for (int i = 0; i < b.getNodeCount(); i++) {
      NodeDef n = b.getNode(i);
      if (!n.getOp().equals("Const")) {
        continue;
      }
      TensorProto t = n.getAttrOrThrow("value").getTensor();
      if (t.getDtype() != DataType.DT_FLOAT) {
        continue;
      }
      TensorProto.Builder rounded = t.toBuilder();
      if (!t.getTensorContent().isEmpty()) {
        ByteBuffer in = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
          out.putFloat(toFloat16(in.getFloat()));
        }
        rounded.setTensorContent(com.google.protobuf.ByteString.copyFrom(out.array()));
      } else {
        rounded.clearFloatVal();
        for (float f : t.getFloatValList()) {
          rounded.addFloatVal(toFloat16(f));
        }
      }
      b.setNode(i, n.toBuilder().putAttr("value", AttrValue.newBuilder().setTensor(rounded).build()));
    }
    return b.build();
  }

  /** {@code v} rounded to the nearest binary16 value (half to even); subnormals at 2^-24 steps. */
  static float toFloat16(float v) {
    if (v == 0 || Float.isNaN(v) || Float.isInfinite(v)) {
      return v;
    }
    int exponent = Math.max(Math.getExponent(v), -14);
    double ulp = Math.scalb(1.0, exponent - 10);
    double r = Math.rint(v / ulp) * ulp;
    return Math.abs(r) > 65504 ? Math.copySign(Float.POSITIVE_INFINITY, v) : (float) r;
  }
}
