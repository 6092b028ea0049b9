package dev.compresso.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The graph form of every loss equals its Java form (1e-5) on seeded data of the shapes training sees. */
class LossGraphAgreementTest {

  static final long[] MASKS = {2, 4, 4, 1};

  static Stream<Loss> maskLosses() {
    return Stream.of(new FocalTversky(), new Dice(), new Iou(), new BinaryCrossEntropy(), new MeanSquaredError(),
        new FocalTversky(0.5, 0.5, 1.0, 1.0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maskLosses")
  void agreesOnMasks(Loss loss) {
    Random rng = new Random(42);
    int n = LossCases.elements(MASKS);
    float[] t = LossCases.mask(n, rng);
    float[] p = LossCases.probabilities(n, rng, 0f, 1f);
    // saturated values too, where the cross-entropy clips
    p[0] = 0f;
    p[1] = 1f;
    p[n - 1] = 1f;
    double java = loss.mean(t, p, MASKS);
    assertEquals(java, LossGraphs.evaluate(loss, t, p, MASKS), 1e-5, loss.name());
  }

  static Stream<Arguments> classShapes() {
    return Stream.of(Arguments.of((Object) new long[] {2, 3}), Arguments.of((Object) new long[] {2, 2, 2, 3}));
  }

  @ParameterizedTest
  @MethodSource("classShapes")
  void categoricalAgrees(long[] shape) {
    Random rng = new Random(7);
    int rows = LossCases.elements(shape) / 3;
    float[] t = LossCases.oneHot(rows, 3, rng);
    float[] p = LossCases.distributions(rows, 3, rng);
    Loss loss = new CategoricalCrossEntropy();
    assertEquals(loss.mean(t, p, shape), LossGraphs.evaluate(loss, t, p, shape), 1e-5);
  }

  @Test
  void categoricalAgreesWithZeroProbabilities() {
    // a confident wrong prediction hits the lower clip: -ln(1e-7) = 16.118
    float[] t = {1, 0, 0, 0, 1, 0};
    float[] p = {0f, 1f, 0f, 0f, 1f, 0f};
    Loss loss = new CategoricalCrossEntropy();
    double java = loss.mean(t, p, new long[] {2, 3});
    assertEquals(16.11809565 / 2, java, 1e-5);
    assertEquals(java, LossGraphs.evaluate(loss, t, p, new long[] {2, 3}), 1e-5);
  }
}
