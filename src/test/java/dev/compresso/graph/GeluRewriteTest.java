package dev.compresso.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.model.FrozenGraph;
import dev.compresso.tflite.OperatorInfo;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow's erfc gelu (Keras 3's export of a gelu activation) is rewritten to the erf form: the same values,
 * and the converter then fuses one GELU instead of rejecting the Erfc. A different constant is left alone.
 */
class GeluRewriteTest {

  private static GraphDef erfcGelu(float scale) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 6)));
      Operand<TFloat32> h = tf.withName("b").math.add(x, tf.constant(new float[] {0.1f, -0.2f, 0.3f, 0f, 1f, -1f}));
      Operand<TFloat32> half = tf.withName("gelu_mul").math.mul(tf.withName("gelu_half").constant(0.5f), h);
      Operand<TFloat32> scaled = tf.withName("gelu_mul_1").math.mul(tf.withName("gelu_neg").math.neg(h),
          tf.withName("gelu_inv_sqrt2").constant(scale));
      Operand<TFloat32> erfc = tf.withName("gelu_erfc").math.erfc(scaled);
      tf.withName("y").identity(tf.withName("gelu").math.mul(half, erfc));
      return g.toGraphDef();
    }
  }

  private static float[] run(GraphDef def, float[] in) {
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 x = TFloat32.tensorOf(StdArrays.ndCopyOf(new float[][] {in}))) {
      g.importGraphDef(def);
      try (TFloat32 y = (TFloat32) s.runner().feed("x", x).fetch("y").run().get(0)) {
        return StdArrays.array2dCopyOf(y)[0];
      }
    }
  }

  private static Set<String> ops(GraphDef def) {
    return def.getNodeList().stream().map(NodeDef::getOp).collect(Collectors.toSet());
  }

  @Test
  void erfcGeluBecomesTheFusableErfFormWithTheSameValues() {
    GraphDef before = erfcGelu((float) (1 / Math.sqrt(2)));
    GraphDef after = GraphRewriter.apply(before, GeluRewrite.rewrites(new GraphIndex(before)));
    assertTrue(ops(after).contains("Erf"), ops(after).toString());
    float[] in = {-3f, -1f, -0.3f, 0f, 0.7f, 2.5f};
    float[] want = run(before, in);
    float[] got = run(after, in);
    for (int i = 0; i < in.length; i++) {
      assertEquals(want[i], got[i], 1e-6f, "value " + i);
    }
    FrozenGraph frozen = new FrozenGraph(after, "serving_default",
        List.of(new FrozenGraph.Input("x", "x", DataType.DT_FLOAT, new long[] {1, 6})),
        List.of(new FrozenGraph.Output("y", "y:0")));
    byte[] tflite = Converter.convert(frozen, ConversionOptions.builder(Precision.FP32).build());
    List<String> tfliteOps = TfliteModel.fromBytes(tflite, "gelu").primarySubgraph().operators().stream()
        .map(OperatorInfo::op).toList();
    assertTrue(tfliteOps.contains("GELU"), tfliteOps.toString());
  }

  @Test
  void anotherConstantIsNotAGelu() {
    GraphDef other = erfcGelu(0.6f);
    assertTrue(GeluRewrite.rewrites(new GraphIndex(other)).isEmpty());
  }
}
