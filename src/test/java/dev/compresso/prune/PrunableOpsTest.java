package dev.compresso.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.compresso.train.Tensors;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * Runs every entry of {@link PrunableOps} in TensorFlow: zeroing the weight elements the entry says
 * belong to output channel k (through its weight input) must zero exactly output channel k of the op.
 */
class PrunableOpsTest {

  /** A case: weight shape, and the op's output for a weight, reading the weight at the entry's input. */
  private record Case(NodeDef node, long[] weightShape, int outputChannels) {}

  private static Case caseFor(String op, boolean transposeB) {
    NodeDef.Builder n = NodeDef.newBuilder().setOp(op).setName("op");
    return switch (op) {
      case "Conv2D" -> new Case(n.build(), new long[] {1, 1, 2, 3}, 3);
      case "DepthwiseConv2dNative" -> new Case(n.build(), new long[] {1, 1, 2, 2}, 4);
      case "Conv2DBackpropInput" -> new Case(n.build(), new long[] {1, 1, 3, 2}, 3);
      case "MatMul" -> new Case(n.putAttr("transpose_b", AttrValue.newBuilder().setB(transposeB).build()).build(),
          transposeB ? new long[] {3, 2} : new long[] {2, 3}, 3);
      default -> null;
    };
  }

  private static Operand<TFloat32> run(Ops tf, String op, Operand<TFloat32> w, boolean transposeB) {
    List<Long> ones = List.of(1L, 1L, 1L, 1L);
    return switch (op) {
      case "Conv2D" -> tf.nn.conv2d(tf.ones(tf.constant(new int[] {1, 3, 3, 2}), TFloat32.class), w, ones, "SAME");
      case "DepthwiseConv2dNative" -> tf.nn.depthwiseConv2dNative(
          tf.ones(tf.constant(new int[] {1, 3, 3, 2}), TFloat32.class), w, ones, "SAME");
      case "Conv2DBackpropInput" -> tf.nn.conv2dBackpropInput(tf.constant(new int[] {1, 3, 3, 3}), w,
          tf.ones(tf.constant(new int[] {1, 3, 3, 2}), TFloat32.class), ones, "SAME");
      case "MatMul" -> tf.linalg.matMul(tf.ones(tf.constant(new int[] {1, 2}), TFloat32.class), w,
          MatMul.transposeB(transposeB));
      default -> throw new IllegalStateException(op);
    };
  }

  @Test
  void tableHoldsTheFourIssueOpsOnce() {
    assertEquals(List.of("Conv2D", "DepthwiseConv2dNative", "Conv2DBackpropInput", "MatMul"),
        PrunableOps.all().stream().map(PrunableOps.Entry::op).toList());
  }

  @Test
  void zeroingAnOutputChannelsWeightsZeroesExactlyThatOutputChannel() {
    for (PrunableOps.Entry e : PrunableOps.all()) {
      for (boolean transposeB : new boolean[] {false, true}) {
        Case c = caseFor(e.op(), transposeB);
        if (c == null) {
          fail("PrunableOpsTest has no case for " + e.op() + "; add one");
        }
        assertEquals(e.rank(), c.weightShape().length, e.op());
        PrunableWeight w = new PrunableWeight("w", e.op(), List.of("op"), c.weightShape(), e.outputAxes(c.node()));
        assertEquals(c.outputChannels(), w.outputChannels(), e.op());
        for (int k = 0; k < w.outputChannels(); k++) {
          float[] values = new float[w.size()];
          for (int i = 0; i < values.length; i++) {
            values[i] = w.outputChannelOf(i) == k ? 0f : 1f;
          }
          float[] out;
          try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> y = run(tf, e.op(), tf.constant(org.tensorflow.ndarray.Shape.of(c.weightShape()),
                org.tensorflow.ndarray.buffer.DataBuffers.of(values)), transposeB);
            assertEquals(e.weightInput(), 1, "every table entry reads its weight at input 1 in this test");
            try (Tensor t = s.runner().fetch(y).run().get(0)) {
              out = Tensors.read(t);
            }
          }
          int channels = w.outputChannels();
          for (int i = 0; i < out.length; i++) {
            String where = e.op() + " transpose_b=" + transposeB + " channel " + k + " at " + i + ": "
                + Arrays.toString(out);
            if (i % channels == k) {
              assertEquals(0f, out[i], where);
            } else {
              assertNotEquals(0f, out[i], where);
            }
          }
        }
        if (!e.op().equals("MatMul")) {
          break;
        }
      }
    }
  }
}
