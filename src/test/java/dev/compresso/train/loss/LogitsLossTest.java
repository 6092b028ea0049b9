package dev.compresso.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Cross-entropies from logits and with label smoothing: the Java and graph forms agree, equal the loss on
 * the softmax/sigmoid of the logits, match hand-computed values, and their gradients are those of the
 * softmax form (the rank-4 per-pixel case included: TF's C++ LogSoftmax gradient is only right for rank 2).
 */
class LogitsLossTest {

  @Test
  void categoricalFromLogitsIsCrossEntropyOfTheSoftmax() {
    Random rng = new Random(3);
    long[] shape = {4, 3, 2, 5};
    int n = LossCases.elements(shape);
    float[] t = LossCases.oneHot(n / 5, 5, rng);
    float[] z = new float[n];
    for (int i = 0; i < n; i++) {
      z[i] = (float) (rng.nextGaussian() * 3);
    }
    float[] p = softmaxRows(z, 5);
    double fromLogits = new CategoricalCrossEntropy(true, 0).mean(t, z, shape);
    double onProbabilities = new CategoricalCrossEntropy().mean(t, p, shape);
    assertEquals(onProbabilities, fromLogits, 1e-5);
    assertEquals(fromLogits, LossGraphs.evaluate(new CategoricalCrossEntropy(true, 0), t, z, shape), 1e-5);
    float[] viaSoftmax = LossGraphs.gradientWrtVariableLogits(new CategoricalCrossEntropy(), t, z, shape,
        (tf, x) -> tf.nn.softmax(x));
    float[] direct = LossGraphs.gradientWrtPredictions(new CategoricalCrossEntropy(true, 0), t, z, shape);
    for (int i = 0; i < n; i++) {
      assertEquals(viaSoftmax[i], direct[i], 1e-5, "gradient " + i);
    }
  }

  @Test
  void labelSmoothingMatchesHandValues() {
    // logits [2, 0] -> log_softmax = [-0.126928, -2.126928]; target [1, 0] smoothed by 0.2 over 2 classes
    // -> [0.9, 0.1]; loss = 0.9*0.126928 + 0.1*2.126928 = 0.326928
    float[] z = {2, 0};
    float[] t = {1, 0};
    long[] shape = {1, 2};
    CategoricalCrossEntropy cce = new CategoricalCrossEntropy(true, 0.2);
    assertEquals(0.326928, cce.mean(t, z, shape), 1e-6);
    assertEquals(0.326928, LossGraphs.evaluate(cce, t, z, shape), 1e-5);
    // binary: z = 2, t = 1 smoothed by 0.2 -> 0.9: max(z,0) - z*t + log(1+exp(-|z|)) = 2 - 1.8 + 0.126928
    BinaryCrossEntropy bce = new BinaryCrossEntropy(true, 0.2);
    assertEquals(0.326928, bce.mean(new float[] {1}, new float[] {2}, new long[] {1, 1}), 1e-6);
    assertEquals(0.326928, LossGraphs.evaluate(bce, new float[] {1}, new float[] {2}, new long[] {1, 1}), 1e-5);
  }

  @Test
  void binaryFromLogitsIsCrossEntropyOfTheSigmoidAndStaysFiniteForLargeLogits() {
    Random rng = new Random(5);
    long[] shape = {3, 4, 4, 1};
    int n = LossCases.elements(shape);
    float[] t = LossCases.mask(n, rng);
    float[] z = new float[n];
    float[] p = new float[n];
    for (int i = 0; i < n; i++) {
      z[i] = (float) (rng.nextGaussian() * 2);
      p[i] = (float) (1 / (1 + Math.exp(-z[i])));
    }
    assertEquals(new BinaryCrossEntropy().mean(t, p, shape), new BinaryCrossEntropy(true, 0).mean(t, z, shape), 1e-5);
    assertEquals(new BinaryCrossEntropy(true, 0).mean(t, z, shape),
        LossGraphs.evaluate(new BinaryCrossEntropy(true, 0), t, z, shape), 1e-5);
    // a confidently wrong logit of 200: 200 nats, not the 16.1 the probability clip would allow
    assertEquals(200, new BinaryCrossEntropy(true, 0).mean(new float[] {0}, new float[] {200}, new long[] {1, 1}),
        1e-9);
  }

  private static float[] softmaxRows(float[] z, int classes) {
    float[] p = new float[z.length];
    double[] log = new double[classes];
    for (int r = 0; r < z.length; r += classes) {
      LogSoftmax.of(z, r, classes, log);
      for (int c = 0; c < classes; c++) {
        p[r + c] = (float) Math.exp(log[c]);
      }
    }
    return p;
  }
}
