package dev.compresso.train.loss;

import java.util.Random;

/** Seeded test data for losses: binary masks with probabilities, and one-hot labels with distributions. */
final class LossCases {

  private LossCases() {}

  /** 0/1 targets, about a third of them 1. */
  static float[] mask(int n, Random rng) {
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = rng.nextInt(3) == 0 ? 1f : 0f;
    }
    return t;
  }

  /** Probabilities in [lo, hi]. */
  static float[] probabilities(int n, Random rng, float lo, float hi) {
    float[] p = new float[n];
    for (int i = 0; i < n; i++) {
      p[i] = lo + (hi - lo) * rng.nextFloat();
    }
    return p;
  }

  /** One-hot rows of {@code classes} entries. */
  static float[] oneHot(int rows, int classes, Random rng) {
    float[] t = new float[rows * classes];
    for (int r = 0; r < rows; r++) {
      t[r * classes + rng.nextInt(classes)] = 1f;
    }
    return t;
  }

  /** Rows of {@code classes} positive values that sum to 1, as a softmax gives. */
  static float[] distributions(int rows, int classes, Random rng) {
    float[] p = new float[rows * classes];
    for (int r = 0; r < rows; r++) {
      float sum = 0;
      for (int c = 0; c < classes; c++) {
        p[r * classes + c] = 0.05f + rng.nextFloat();
        sum += p[r * classes + c];
      }
      for (int c = 0; c < classes; c++) {
        p[r * classes + c] /= sum;
      }
    }
    return p;
  }

  static int elements(long[] shape) {
    return BatchLayout.elements(shape);
  }
}
