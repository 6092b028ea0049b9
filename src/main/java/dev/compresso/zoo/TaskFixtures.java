package dev.compresso.zoo;

import dev.compresso.train.OpNames;
import dev.compresso.train.TrainableGraph;
import dev.compresso.train.TrainableVariable;
import dev.compresso.train.VariableStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Two small models whose task is read from the graph (issue 23's fixtures), built op by op:
 *
 * <ul>
 *   <li>{@link #digitsLogits}: tfmot's pruning-tutorial classifier shrunk to 8x8 digits: Conv2D 3x3 (16
 *       filters) + ReLU, 2x2 max-pool, flatten, Dense 10 returning <b>logits</b> (MatMul + BiasAdd, no softmax),
 *       as the tutorial's model trained with {@code SparseCategoricalCrossentropy(from_logits=True)}.
 *   <li>{@link #segArgMax}: a 3-class per-pixel segmenter, two 3x3 Conv2D + ReLU and a 1x1 Conv2D to 3 logits
 *       per pixel, ending in {@code ArgMax} over the classes: the output is an int64 class map.
 * </ul>
 */
public final class TaskFixtures {

  /** The built graph: the float scores trained, the exported output, and the initial values. */
  public record Built(TrainableGraph scores, Operand<?> output, Map<String, float[]> initialValues,
      VariableStore store) {}

  private TaskFixtures() {}

  public static Built digitsLogits(Graph graph, long seed) {
    Ops tf = Ops.create(graph);
    Layers l = new Layers(tf, new VariableStore(graph), new Random(seed));
    Placeholder<TFloat32> input = tf.withName("image").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, 8, 8, 1)));
    Operand<TFloat32> x = l.names.at("conv/relu").nn.relu(l.conv("conv", input, 1, 16, 3));
    x = UNet.maxPool(graph, tf, "pool", x);
    x = tf.withName("flatten").reshape(x, tf.constant(new long[] {-1, 4 * 4 * 16}));
    TrainableVariable kernel = l.variable("dense/kernel", new long[] {256, 10}, 256);
    TrainableVariable bias = l.variable("dense/bias", new long[] {10}, 0);
    Operand<TFloat32> logits = l.names.at("dense/bias_add").nn.biasAdd(
        l.names.at("dense/matmul").linalg.matMul(x, kernel.read()), bias.read());
    Operand<TFloat32> out = tf.withName("logits").identity(logits);
    return new Built(new TrainableGraph(graph, input.asOutput(), out.asOutput(), l.store.all()), out, l.init,
        l.store);
  }

  public static Built segArgMax(Graph graph, long seed) {
    Ops tf = Ops.create(graph);
    Layers l = new Layers(tf, new VariableStore(graph), new Random(seed));
    Placeholder<TFloat32> input = tf.withName("image").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, 16, 16, 1)));
    Operand<TFloat32> x = l.names.at("conv0/relu").nn.relu(l.conv("conv0", input, 1, 8, 3));
    x = l.names.at("conv1/relu").nn.relu(l.conv("conv1", x, 8, 8, 3));
    Operand<TFloat32> logits = l.conv("head", x, 8, 3, 1);
    Operand<TInt64> classes = tf.withName("classes").math.argMax(logits, tf.constant(3), TInt64.class);
    return new Built(new TrainableGraph(graph, input.asOutput(), logits.asOutput(), l.store.all()), classes, l.init,
        l.store);
  }

  /** Convs and their variables, with seeded He-normal kernels and zero biases. */
  private static final class Layers {
    final Ops tf;
    final VariableStore store;
    final OpNames names;
    final Map<String, float[]> init = new LinkedHashMap<>();
    final Random rng;

    Layers(Ops tf, VariableStore store, Random rng) {
      this.tf = tf;
      this.store = store;
      this.names = store.names();
      this.rng = rng;
    }

    Operand<TFloat32> conv(String name, Operand<TFloat32> x, int in, int out, int k) {
      TrainableVariable kernel = variable(name + "/kernel", new long[] {k, k, in, out}, k * k * in);
      TrainableVariable bias = variable(name + "/bias", new long[] {out}, 0);
      Operand<TFloat32> y = names.at(name + "/conv").nn.conv2d(x, kernel.read(), List.of(1L, 1L, 1L, 1L), "SAME");
      return names.at(name + "/bias_add").nn.biasAdd(y, bias.read());
    }

    TrainableVariable variable(String name, long[] shape, int fanIn) {
      TrainableVariable v = store.create(name, shape);
      float[] values = new float[(int) v.size()];
      if (fanIn > 0) {
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (Math.max(-2, Math.min(2, rng.nextGaussian())) * std);
        }
      }
      init.put(name, values);
      return v;
    }
  }
}
