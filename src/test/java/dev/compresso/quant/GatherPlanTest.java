package dev.compresso.quant;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.model.FrozenGraph;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@code GatherV2} in the int8 plan: a gather of activations by integer indices (TFLite's int8 GATHER copies raw
 * values) is same-scale; a gather from a float constant table (an embedding) would need the table quantized as a
 * weight and is refused by name.
 */
class GatherPlanTest {

  private static FrozenGraph graph(BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> body) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 4)));
      tf.withName("y").identity(body.apply(tf, x));
      return new FrozenGraph(g.toGraphDef(), "serving_default",
          List.of(new FrozenGraph.Input("x", "x", DataType.DT_FLOAT, new long[] {1, 4})),
          List.of(new FrozenGraph.Output("y", "y:0")));
    }
  }

  @Test
  void aGatherOfActivationsIsSameScale() {
    FrozenGraph g = graph((tf, x) -> tf.withName("picked").gather(tf.withName("h").nn.relu(x),
        tf.constant(new int[] {3, 0}), tf.constant(1)));
    QuantPlan plan = QuantPlanner.defaults().plan(g);
    assertTrue(plan.measuredNodes().contains("h"), plan.measuredNodes().toString());
    assertTrue(!plan.measuredNodes().contains("picked"), "same scale as its input: " + plan.measuredNodes());
  }

  @Test
  void aGatherFromAConstantTableIsRefusedByName() {
    FrozenGraph g = graph((tf, x) -> {
      Operand<TInt32> ids = tf.dtypes.cast(tf.nn.relu6(x), TInt32.class);
      return tf.withName("embed").gather(tf.constant(new float[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10},
          {11, 12}, {13, 14}}), ids, tf.constant(0));
    });
    BadInputException e = assertThrows(BadInputException.class, () -> QuantPlanner.defaults().plan(g));
    assertTrue(e.getMessage().contains("embed (GatherV2 of a constant table)"), e.getMessage());
  }
}
