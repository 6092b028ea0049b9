package dev.compresso.train.loss;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Runs a loss's graph form in a real TF session: the shared fixture of the loss tests. */
final class LossGraphs {

  private LossGraphs() {}

  /** The graph form's value for targets and predictions fed through shape-less placeholders. */
  static float evaluate(Loss loss, float[] yTrue, float[] yPred, long[] shape) {
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 t = tensor(yTrue, shape); TFloat32 p = tensor(yPred, shape)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> tIn = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> pIn = tf.placeholder(TFloat32.class);
      Operand<TFloat32> value = loss.build(tf, tIn, pIn);
      try (Result r = s.runner().feed(tIn, t).feed(pIn, p).fetch(value).run()) {
        return ((TFloat32) r.get(0)).getFloat();
      }
    }
  }

  /** d loss / d predictions, with predictions fed through a placeholder. */
  static float[] gradientWrtPredictions(Loss loss, float[] yTrue, float[] yPred, long[] shape) {
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 t = tensor(yTrue, shape); TFloat32 p = tensor(yPred, shape)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> tIn = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> pIn = tf.placeholder(TFloat32.class);
      Operand<TFloat32> value = loss.build(tf, tIn, pIn);
      Output<?>[] grad = g.addGradients(value.asOutput(), new Output<?>[] {pIn.asOutput()});
      try (Result r = s.runner().feed(tIn, t).feed(pIn, p).fetch(grad[0]).run()) {
        return values((TFloat32) r.get(0), yPred.length);
      }
    }
  }

  /**
   * d loss / d logits, the logits held in a ref variable read through Identity (DESIGN.md), turned into
   * probabilities by {@code activation} as a model's last layer would: the path training takes.
   */
  static float[] gradientWrtVariableLogits(Loss loss, float[] yTrue, float[] logits, long[] shape,
      java.util.function.BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> activation) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> z = tf.variable(tf.withInitScope().constant(Shape.of(shape), buffer(logits)));
      Operand<TFloat32> pred = activation.apply(tf, tf.identity(z));
      Operand<TFloat32> value = loss.build(tf, tf.constant(Shape.of(shape), buffer(yTrue)), pred);
      Output<?>[] grad = g.addGradients(value.asOutput(), new Output<?>[] {z.asOutput()});
      try (Result r = s.runner().fetch(grad[0]).run()) {
        return values((TFloat32) r.get(0), logits.length);
      }
    }
  }

  static TFloat32 tensor(float[] values, long[] shape) {
    return TFloat32.tensorOf(Shape.of(shape), buffer(values));
  }

  private static FloatDataBuffer buffer(float[] values) {
    return DataBuffers.of(values, true, false);
  }

  private static float[] values(TFloat32 t, int n) {
    float[] out = new float[n];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  static List<Float> nonFinite(float[] values) {
    return java.util.stream.IntStream.range(0, values.length).mapToObj(i -> values[i])
        .filter(v -> !Float.isFinite(v)).toList();
  }
}
