package dev.compresso.zoo;

import dev.compresso.train.OpNames;
import dev.compresso.train.TrainableGraph;
import dev.compresso.train.TrainableVariable;
import dev.compresso.train.VariableStore;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.tensorflow.types.TInt32;

/**
 * A UNet for binary segmentation (Ronneberger et al., "U-Net: Convolutional Networks for Biomedical
 * Image Segmentation", 2015), built op by op in TF Java with ref variables.
 *
 * <p>Encoder: {@code depth} levels of two 3x3 conv+ReLU then 2x2 max-pool, filters doubling from {@code
 * baseFilters}; a bottleneck of two 3x3 conv+ReLU; decoder: 2x2 stride-2 transposed conv, concat with
 * the skip, two 3x3 conv+ReLU; a 1x1 conv and sigmoid. "SAME" padding throughout. With the defaults
 * (16 filters, depth 3, 1 channel) it has 481,745 parameters.
 *
 * @param size input height and width (divisible by {@code 2^depth})
 * @param channels input channels
 * @param baseFilters filters of the first level
 * @param depth number of pooling levels
 */
public record UNet(int size, int channels, int baseFilters, int depth) {

  public static final UNet DEFAULT = new UNet(128, 1, 16, 3);

  /** Names the signature and the exported SavedModel use. */
  public static final String INPUT_NAME = "image";
  public static final String OUTPUT_NAME = "mask";

  public UNet {
    if (size % (1 << depth) != 0) {
      throw new IllegalArgumentException("UNet size " + size + " must be divisible by 2^" + depth);
    }
  }

  /** The built graph and the seeded initial values of its variables (He-normal kernels, zero biases). */
  public record Built(TrainableGraph model, Map<String, float[]> initialValues, VariableStore store) {}

  /** Builds the UNet into {@code graph}: placeholder {@code image}, output {@code mask}. */
  public Built build(Graph graph, long seed) {
    Ops tf = Ops.create(graph);
    VariableStore store = new VariableStore(graph);
    Map<String, float[]> init = new LinkedHashMap<>();
    Random rng = new Random(seed);
    Layers layers = new Layers(tf, store, init, rng);

    Placeholder<TFloat32> input = tf.withName(INPUT_NAME).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, size, size, channels)));
    Operand<TFloat32> x = input;
    List<Operand<TFloat32>> skips = new ArrayList<>();
    int filters = baseFilters;
    int in = channels;
    for (int level = 0; level < depth; level++) {
      x = layers.convRelu("enc" + level + "_conv0", x, in, filters, 3);
      x = layers.convRelu("enc" + level + "_conv1", x, filters, filters, 3);
      skips.add(x);
      x = maxPool(graph, tf, "enc" + level + "_pool", x);
      in = filters;
      filters *= 2;
    }
    x = layers.convRelu("mid_conv0", x, in, filters, 3);
    x = layers.convRelu("mid_conv1", x, filters, filters, 3);
    int spatial = size >> depth;
    for (int level = depth - 1; level >= 0; level--) {
      int out = filters / 2;
      spatial *= 2;
      x = layers.upConv("dec" + level + "_up", x, filters, out, spatial);
      x = tf.withName("dec" + level + "_concat").concat(Arrays.asList(x, skips.get(level)), tf.constant(3));
      x = layers.convRelu("dec" + level + "_conv0", x, 2 * out, out, 3);
      x = layers.convRelu("dec" + level + "_conv1", x, out, out, 3);
      filters = out;
    }
    Operand<TFloat32> logits = layers.conv("head", x, filters, 1, 1);
    Operand<TFloat32> output = tf.withName(OUTPUT_NAME).math.sigmoid(logits);
    TrainableGraph model = new TrainableGraph(graph, input.asOutput(), output.asOutput(), store.all());
    return new Built(model, init, store);
  }

  /**
   * 2x2 stride-2 {@code MaxPool} with its window in attributes. TF Java's {@code nn.maxPool} writes
   * {@code MaxPoolV2} (window as tensors), which the TFLite converter rejects.
   */
  static Operand<TFloat32> maxPool(Graph graph, Ops tf, String name, Operand<TFloat32> x) {
    return graph.opBuilder("MaxPool", name, tf.scope())
        .addInput(x.asOutput())
        .setAttr("ksize", new long[] {1, 2, 2, 1})
        .setAttr("strides", new long[] {1, 2, 2, 1})
        .setAttr("padding", "VALID")
        .build()
        .<TFloat32>output(0);
  }

  /** Conv, transposed conv and their variables, with seeded He-normal initial values. */
  private static final class Layers {
    private final Ops tf;
    private final VariableStore store;
    private final Map<String, float[]> init;
    private final Random rng;
    private final OpNames names;

    Layers(Ops tf, VariableStore store, Map<String, float[]> init, Random rng) {
      this.tf = tf;
      this.names = store.names();
      this.store = store;
      this.init = init;
      this.rng = rng;
    }

    Operand<TFloat32> convRelu(String name, Operand<TFloat32> x, int in, int out, int k) {
      return names.at(name + "/relu").nn.relu(conv(name, x, in, out, k));
    }

    Operand<TFloat32> conv(String name, Operand<TFloat32> x, int in, int out, int k) {
      TrainableVariable kernel = variable(name + "/kernel", new long[] {k, k, in, out}, k * k * in);
      TrainableVariable bias = variable(name + "/bias", new long[] {out}, 0);
      Operand<TFloat32> y = names.at(name + "/conv").nn.conv2d(x, kernel.read(), List.of(1L, 1L, 1L, 1L), "SAME");
      return names.at(name + "/bias_add").nn.biasAdd(y, bias.read());
    }

    /** 2x2 stride-2 transposed conv ({@code Conv2DBackpropInput}), as Keras' Conv2DTranspose writes it. */
    Operand<TFloat32> upConv(String name, Operand<TFloat32> x, int in, int out, int outSpatial) {
      TrainableVariable kernel = variable(name + "/kernel", new long[] {2, 2, out, in}, 2 * 2 * in / 4);
      TrainableVariable bias = variable(name + "/bias", new long[] {out}, 0);
      Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
      Operand<TInt32> outShape = tf.concat(List.of(batch, tf.constant(new int[] {outSpatial, outSpatial, out})),
          tf.constant(0));
      Operand<TFloat32> y = names.at(name + "/conv_transpose").nn.conv2dBackpropInput(outShape, kernel.read(), x,
          List.of(1L, 2L, 2L, 1L), "SAME");
      return names.at(name + "/bias_add").nn.biasAdd(y, bias.read());
    }

    /** fanIn 0 means zeros (biases); otherwise He-normal with std sqrt(2 / fanIn). */
    private TrainableVariable variable(String name, long[] shape, int fanIn) {
      TrainableVariable v = store.create(name, shape);
      float[] values = new float[(int) v.size()];
      if (fanIn > 0) {
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < values.length; i++) {
          double g;
          do {
            g = rng.nextGaussian();
          } while (Math.abs(g) > 2);
          values[i] = (float) (g * std);
        }
      }
      init.put(name, values);
      return v;
    }
  }
}
