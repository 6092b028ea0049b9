package dev.compresso.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.data.Dataset;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The int8 input's one scale against the features' spreads: raw tabular scales warn, images do not. */
class InputSpreadTest {

  private static Dataset data(int n, long[] shape, double[] scales, long seed) {
    Random r = new Random(seed);
    int per = (int) Dataset.elements(shape);
    float[] x = new float[n * per];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (scales[i % scales.length] * (1 + r.nextGaussian()));
    }
    return Dataset.of("test", x, shape, new float[n], new long[] {1}, n);
  }

  @Test
  void rawFeaturesOfVeryDifferentScalesWarnNamingTheStepAndTheRemedy() {
    Optional<String> w = InputSpread.warning(data(100, new long[] {4}, new double[] {1000, 1, 0.1, 0.01}, 1));
    assertTrue(w.isPresent());
    assertTrue(w.get().contains("one scale for all 4 input features") && w.get().contains("3 of them")
        && w.get().contains("Standardize the features before the model"), w.get());
  }

  @Test
  void imagesAndStandardizedFeaturesDoNotWarn() {
    assertTrue(InputSpread.warning(data(20, new long[] {8, 8, 3}, new double[] {100, 100, 100}, 2)).isEmpty());
    assertTrue(InputSpread.warning(data(100, new long[] {30}, new double[] {1}, 3)).isEmpty());
  }
}
