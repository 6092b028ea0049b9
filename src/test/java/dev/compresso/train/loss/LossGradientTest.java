package dev.compresso.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Every loss graph has gradients (TF's C++ gradient functions cover all its ops), they are finite also at
 * saturated predictions, and they match finite differences of the Java form.
 */
class LossGradientTest {

  static final long[] MASKS = {2, 4, 4, 1};
  static final long[] CLASSES = {2, 2, 2, 3};

  static Stream<Loss> maskLosses() {
    return Stream.of(new FocalTversky(), new Dice(), new Iou(), new BinaryCrossEntropy(), new MeanSquaredError());
  }

  static Stream<Loss> allLosses() {
    return Stream.concat(maskLosses(), Stream.of(new CategoricalCrossEntropy()));
  }

  private static boolean categorical(Loss loss) {
    return loss instanceof CategoricalCrossEntropy;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allLosses")
  void gradientReachesVariableLogits(Loss loss) {
    Random rng = new Random(3);
    long[] shape = categorical(loss) ? CLASSES : MASKS;
    int n = LossCases.elements(shape);
    float[] t = categorical(loss) ? LossCases.oneHot(n / 3, 3, rng) : LossCases.mask(n, rng);
    float[] logits = LossCases.probabilities(n, rng, -3f, 3f);
    float[] g = LossGraphs.gradientWrtVariableLogits(loss, t, logits, shape,
        categorical(loss) ? (Ops tf, Operand<TFloat32> z) -> tf.nn.softmax(z)
            : (Ops tf, Operand<TFloat32> z) -> tf.math.sigmoid(z));
    assertEquals(0, LossGraphs.nonFinite(g).size(), loss.name() + " gradient " + Arrays.toString(g));
    assertTrue(maxAbs(g) > 1e-6, loss.name() + " gradient is all zero");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allLosses")
  void gradientIsFiniteAtSaturatedAndPerfectPredictions(Loss loss) {
    long[] shape = categorical(loss) ? new long[] {2, 3} : new long[] {2, 4};
    // sample 1 predicted perfectly with hard 0/1 values, sample 2 confidently wrong
    float[] t = categorical(loss) ? new float[] {1, 0, 0, 0, 1, 0} : new float[] {1, 0, 1, 0, 1, 1, 0, 0};
    float[] p = categorical(loss) ? new float[] {1, 0, 0, 1, 0, 0} : new float[] {1, 0, 1, 0, 0, 0, 1, 1};
    float[] g = LossGraphs.gradientWrtPredictions(loss, t, p, shape);
    assertEquals(0, LossGraphs.nonFinite(g).size(), loss.name() + " gradient " + Arrays.toString(g));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allLosses")
  void graphGradientMatchesFiniteDifferencesOfJavaForm(Loss loss) {
    Random rng = new Random(11);
    long[] shape = categorical(loss) ? CLASSES : MASKS;
    int n = LossCases.elements(shape);
    float[] t = categorical(loss) ? LossCases.oneHot(n / 3, 3, rng) : LossCases.mask(n, rng);
    float[] p = categorical(loss) ? LossCases.distributions(n / 3, 3, rng) : LossCases.probabilities(n, rng, 0.05f, 0.95f);
    float[] g = LossGraphs.gradientWrtPredictions(loss, t, p, shape);
    float h = 1e-3f;
    for (int i = 0; i < n; i++) {
      float[] up = p.clone();
      float[] down = p.clone();
      up[i] += h;
      down[i] -= h;
      double numeric = (loss.mean(t, up, shape) - loss.mean(t, down, shape)) / (up[i] - down[i]);
      assertEquals(numeric, g[i], 2e-3 * Math.max(1, Math.abs(numeric)), loss.name() + " d/dp[" + i + "]");
    }
  }

  private static double maxAbs(float[] values) {
    double m = 0;
    for (float v : values) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
