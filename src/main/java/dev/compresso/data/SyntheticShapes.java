package dev.compresso.data;

import dev.compresso.BadInputException;
import java.util.Random;

/**
 * The built-in segmentation data: filled circles, rectangles and triangles on a noisy, graded
 * background; the target mask is 1 on shape pixels and 0 elsewhere.
 *
 * <p>Shapes are always brighter than the background around them. Shapes that were sometimes darker and
 * sometimes brighter made a UNet collapse to an all-foreground mask (DESIGN.md, facts); shapes that are
 * always brighter than a noisy, graded background train well. Generation is deterministic in the seed:
 * sample {@code i} depends only on {@code (seed, i)}, so {@code n=200} is a prefix of {@code n=2000}.
 *
 * <p>Spec: {@code synthetic:shapes[?n=..&size=..&seed=..]}, defaults {@link #DEFAULT_COUNT}, {@link
 * #DEFAULT_SIZE}, {@link #DEFAULT_SEED}. Inputs are {@code [size, size, 1]} floats in [0, 1].
 */
public final class SyntheticShapes {

  public static final int DEFAULT_COUNT = 1000;
  public static final int DEFAULT_SIZE = 128;
  public static final long DEFAULT_SEED = 1;
  /** Smallest and largest accepted image side. */
  public static final int MIN_SIZE = 16;
  public static final int MAX_SIZE = 1024;

  /** Background brightness ranges from about 0.05 to 0.40 across a random linear gradient. */
  private static final double BG_LOW = 0.05;
  private static final double BG_SPAN = 0.35;
  private static final double NOISE_SIGMA = 0.04;
  /** Shape brightness in [0.55, 1.0]: always above the brightest background. */
  private static final double SHAPE_LOW = 0.55;
  private static final double SHAPE_SPAN = 0.45;

  /** The most values one flat array may hold (Java arrays are int-indexed). */
  private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

  private SyntheticShapes() {}

  /** Generates {@code n} images of {@code size x size}. */
  public static Dataset generate(int n, int size, long seed) {
    if (n <= 0) {
      throw new BadInputException("synthetic:shapes n must be positive, got " + n);
    }
    if (size < MIN_SIZE || size > MAX_SIZE) {
      throw new BadInputException(String.format("synthetic:shapes size must be in [%d, %d], got %d",
          MIN_SIZE, MAX_SIZE, size));
    }
    if ((long) n * size * size > MAX_VALUES) {
      throw new BadInputException(String.format(
          "synthetic:shapes n=%d x size=%d x %d = %d values per array, more than one Java array holds (%d)",
          n, size, size, (long) n * size * size, MAX_VALUES));
    }
    int per = size * size;
    float[] x = new float[n * per];
    float[] y = new float[n * per];
    for (int i = 0; i < n; i++) {
      Random rng = new Random(seed * 1_000_003L + i * 7919L + 17);
      drawSample(rng, size, x, y, i * per);
    }
    String spec = String.format("synthetic:shapes?n=%d&size=%d&seed=%d", n, size, seed);
    return Dataset.of(spec, x, new long[] {size, size, 1}, y, new long[] {size, size, 1}, n);
  }

  private static void drawSample(Random rng, int size, float[] x, float[] y, int offset) {
    double angle = rng.nextDouble() * 2 * Math.PI;
    double gx = Math.cos(angle);
    double gy = Math.sin(angle);
    double bgBase = BG_LOW + rng.nextDouble() * 0.1;
    for (int r = 0; r < size; r++) {
      for (int c = 0; c < size; c++) {
        // projection of the pixel on the gradient direction, in [0, 1]
        double t = 0.5 + 0.5 * ((c - size / 2.0) * gx + (r - size / 2.0) * gy) / (size * 0.71);
        x[offset + r * size + c] = (float) (bgBase + BG_SPAN * 0.7 * t);
      }
    }
    int shapes = 1 + rng.nextInt(3);
    for (int s = 0; s < shapes; s++) {
      float intensity = (float) (SHAPE_LOW + rng.nextDouble() * SHAPE_SPAN);
      switch (rng.nextInt(3)) {
        case 0 -> circle(rng, size, x, y, offset, intensity);
        case 1 -> rectangle(rng, size, x, y, offset, intensity);
        default -> triangle(rng, size, x, y, offset, intensity);
      }
    }
    for (int p = 0; p < size * size; p++) {
      double v = x[offset + p] + rng.nextGaussian() * NOISE_SIGMA;
      x[offset + p] = (float) Math.min(1.0, Math.max(0.0, v));
    }
  }

  private static void circle(Random rng, int size, float[] x, float[] y, int offset, float v) {
    double radius = size * (0.06 + rng.nextDouble() * 0.14);
    double cx = radius + rng.nextDouble() * (size - 2 * radius);
    double cy = radius + rng.nextDouble() * (size - 2 * radius);
    for (int r = 0; r < size; r++) {
      for (int c = 0; c < size; c++) {
        double dx = c + 0.5 - cx;
        double dy = r + 0.5 - cy;
        if (dx * dx + dy * dy <= radius * radius) {
          paint(x, y, offset + r * size + c, v);
        }
      }
    }
  }

  private static void rectangle(Random rng, int size, float[] x, float[] y, int offset, float v) {
    int w = (int) (size * (0.1 + rng.nextDouble() * 0.3));
    int h = (int) (size * (0.1 + rng.nextDouble() * 0.3));
    int c0 = rng.nextInt(size - w + 1);
    int r0 = rng.nextInt(size - h + 1);
    for (int r = r0; r < r0 + h; r++) {
      for (int c = c0; c < c0 + w; c++) {
        paint(x, y, offset + r * size + c, v);
      }
    }
  }

  private static void triangle(Random rng, int size, float[] x, float[] y, int offset, float v) {
    double extent = size * (0.15 + rng.nextDouble() * 0.3);
    double ox = rng.nextDouble() * (size - extent);
    double oy = rng.nextDouble() * (size - extent);
    double[] px = new double[3];
    double[] py = new double[3];
    for (int k = 0; k < 3; k++) {
      px[k] = ox + rng.nextDouble() * extent;
      py[k] = oy + rng.nextDouble() * extent;
    }
    // make the triangle reasonably fat: if its area is tiny, use a right triangle over the box instead
    double area = Math.abs((px[1] - px[0]) * (py[2] - py[0]) - (px[2] - px[0]) * (py[1] - py[0])) / 2;
    if (area < extent * extent * 0.15) {
      px = new double[] {ox, ox + extent, ox};
      py = new double[] {oy, oy + extent, oy + extent};
    }
    for (int r = 0; r < size; r++) {
      for (int c = 0; c < size; c++) {
        if (inside(c + 0.5, r + 0.5, px, py)) {
          paint(x, y, offset + r * size + c, v);
        }
      }
    }
  }

  private static boolean inside(double x, double y, double[] px, double[] py) {
    double d1 = edge(x, y, px[0], py[0], px[1], py[1]);
    double d2 = edge(x, y, px[1], py[1], px[2], py[2]);
    double d3 = edge(x, y, px[2], py[2], px[0], py[0]);
    boolean neg = d1 < 0 || d2 < 0 || d3 < 0;
    boolean pos = d1 > 0 || d2 > 0 || d3 > 0;
    return !(neg && pos);
  }

  private static double edge(double x, double y, double x1, double y1, double x2, double y2) {
    return (x - x2) * (y1 - y2) - (x1 - x2) * (y - y2);
  }

  private static void paint(float[] x, float[] y, int index, float v) {
    x[index] = v;
    y[index] = 1f;
  }
}
