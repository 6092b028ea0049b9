package dev.compresso.train.loss;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Mean squared error, as Keras' {@code mean_squared_error}: per sample the mean of {@code (t - p)^2} over
 * every value of the sample; the batch loss is the mean over samples. Predictions may be any real value.
 */
public final class MeanSquaredError implements Loss {

  @Override
  public String name() {
    return "mse";
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred) {
    return Loss.batchMean(tf, Loss.sampleMeans(tf, tf.math.squaredDifference(yTrue, yPred)));
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    int n = BatchLayout.elements(sampleShape);
    double sum = 0;
    for (int i = offset; i < offset + n; i++) {
      double d = (double) yTrue[i] - yPred[i];
      sum += d * d;
    }
    return sum / n;
  }
}
