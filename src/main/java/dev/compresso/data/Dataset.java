package dev.compresso.data;

import dev.compresso.BadInputException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * An in-memory dataset of float32 samples: inputs {@code x} of shape {@code [N, ...inputShape]} and
 * targets {@code y} of shape {@code [N, ...targetShape]}, both stored row-major in one flat array.
 *
 * <p>Classification labels are stored one-hot; {@link #classNames()} then names the classes in the order
 * of the one-hot columns (readers record it so reports can show which column is which). Instances are
 * immutable; subsets copy the arrays and keep the class names. As a {@link SampleSource} it is the
 * in-memory kind: {@link #partition} is {@link #split} and {@link #stream} is {@link #batches}.
 */
public final class Dataset implements SampleSource {

  private final String source;
  private final float[] x;
  private final float[] y;
  private final long[] inputShape;
  private final long[] targetShape;
  private final int size;
  private final List<String> classNames;

  private Dataset(String source, float[] x, long[] inputShape, float[] y, long[] targetShape, int size,
      List<String> classNames) {
    this.source = source;
    this.x = x;
    this.y = y;
    this.inputShape = inputShape.clone();
    this.targetShape = targetShape.clone();
    this.size = size;
    this.classNames = classNames;
  }

  /**
   * Wraps flat arrays. {@code inputShape} and {@code targetShape} exclude the leading sample dimension.
   *
   * @throws BadInputException when the array lengths do not match {@code size} times the shapes, or a
   *     value is NaN or infinite (named by sample index)
   */
  public static Dataset of(String source, float[] x, long[] inputShape, float[] y, long[] targetShape, int size) {
    long xPer = elements(inputShape);
    long yPer = elements(targetShape);
    if (x.length != xPer * size) {
      throw new BadInputException(String.format("%s: inputs hold %d values, expected %d samples x %s = %d",
          source, x.length, size, Arrays.toString(inputShape), xPer * size));
    }
    if (y.length != yPer * size) {
      throw new BadInputException(String.format("%s: targets hold %d values, expected %d samples x %s = %d",
          source, y.length, size, Arrays.toString(targetShape), yPer * size));
    }
    checkFinite(source, "x", x, xPer);
    checkFinite(source, "y", y, yPer);
    return new Dataset(source, x, inputShape, y, targetShape, size, List.of());
  }

  /**
   * The same samples with one-hot targets whose columns are named {@code classNames}, in column order.
   *
   * @throws BadInputException when the targets are not {@code [N, C]} with {@code C} equal to the number
   *     of names, or a name repeats
   */
  public Dataset withClassNames(List<String> classNames) {
    List<String> names = List.copyOf(classNames);
    if (targetShape.length != 1 || targetShape[0] != names.size()) {
      throw new BadInputException(String.format("%s: %d class names need one-hot targets [N, %d], targets are %s",
          source, names.size(), names.size(), Arrays.toString(prepend(size, targetShape))));
    }
    if (names.stream().distinct().count() != names.size()) {
      throw new BadInputException(source + ": class names repeat: " + names);
    }
    return new Dataset(source, x, inputShape, y, targetShape, size, names);
  }

  private static void checkFinite(String source, String array, float[] values, long perSample) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new BadInputException(String.format("%s: array '%s' holds %s at sample %d (flat index %d)",
            source, array, values[i], i / Math.max(1, perSample), i));
      }
    }
  }

  /** Number of elements of a shape; 1 for a scalar. */
  public static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** Where the data came from (a path or a synthetic spec), for messages and reports. */
  @Override
  public String source() {
    return source;
  }

  public int size() {
    return size;
  }

  /**
   * Names of the one-hot target columns, in column order; empty when the targets are not class labels
   * (segmentation masks, regression targets) or the source did not name them.
   */
  public List<String> classNames() {
    return classNames;
  }

  /** Shape of one input sample, without the batch dimension. */
  public long[] inputShape() {
    return inputShape.clone();
  }

  /** Shape of one target sample, without the batch dimension. */
  public long[] targetShape() {
    return targetShape.clone();
  }

  /** Shape of all targets, {@code [size, ...targetShape]}, as losses and metrics take it. */
  public long[] allTargetsShape() {
    return prepend(size, targetShape);
  }

  @Override
  public BatchStream stream(int batchSize, Random rng, boolean dropLast) {
    return BatchStream.of(batches(batchSize, rng, dropLast).iterator());
  }

  @Override
  public SampleSource.Split partition(double testFraction, long seed) {
    Split s = split(testFraction, seed);
    return new SampleSource.Split(s.train(), s.test());
  }

  @Override
  public Dataset head(int n) {
    return n >= size ? this : slice(0, Math.max(0, n));
  }

  /** The size, then every input and every target value (big-endian float32, each array's length after it). */
  @Override
  public void digest(MessageDigest sha) {
    sha.update(ByteBuffer.allocate(8).putLong(size).array());
    digestFloats(sha, x);
    digestFloats(sha, y);
  }

  /**
   * Feeds {@code floats} (big-endian float32 bytes, then their count as a long) to {@code sha}: the one byte
   * form of float arrays in fingerprints (data here, variable values in {@code train.Fingerprint}).
   */
  public static void digestFloats(MessageDigest sha, float[] floats) {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    for (float f : floats) {
      if (!buf.hasRemaining()) {
        sha.update(buf.array(), 0, buf.position());
        buf.clear();
      }
      buf.putFloat(f);
    }
    sha.update(buf.array(), 0, buf.position());
    sha.update(ByteBuffer.allocate(8).putLong(floats.length).array());
  }

  /** The flat input array; callers must not modify it. */
  public float[] inputs() {
    return x;
  }

  /** The flat target array; callers must not modify it. */
  public float[] targets() {
    return y;
  }

  /** Samples {@code [from, to)} as a new dataset. */
  public Dataset slice(int from, int to) {
    if (from < 0 || to > size || from > to) {
      throw new IllegalArgumentException("slice [" + from + ", " + to + ") of " + size + " samples");
    }
    int xPer = (int) elements(inputShape);
    int yPer = (int) elements(targetShape);
    return new Dataset(source, Arrays.copyOfRange(x, from * xPer, to * xPer), inputShape,
        Arrays.copyOfRange(y, from * yPer, to * yPer), targetShape, to - from, classNames);
  }

  /** The given samples, in the given order, as a new dataset. */
  public Dataset select(int[] indices) {
    int xPer = (int) elements(inputShape);
    int yPer = (int) elements(targetShape);
    float[] nx = new float[indices.length * xPer];
    float[] ny = new float[indices.length * yPer];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(x, indices[i] * xPer, nx, i * xPer, xPer);
      System.arraycopy(y, indices[i] * yPer, ny, i * yPer, yPer);
    }
    return new Dataset(source, nx, inputShape, ny, targetShape, indices.length, classNames);
  }

  /** A train/test split. */
  public record Split(Dataset train, Dataset test) {}

  /**
   * Splits after a seeded shuffle: {@code round(size * testFraction)} samples (at least 1 when the
   * fraction is positive and the dataset has 2 or more samples) go to the test set.
   */
  public Split split(double testFraction, long seed) {
    if (!(testFraction >= 0 && testFraction < 1)) {
      throw new BadInputException("test fraction must be in [0, 1), got " + testFraction);
    }
    int[] order = permutation(size, new Random(seed));
    int nTest = (int) Math.round(size * testFraction);
    if (testFraction > 0 && nTest == 0 && size > 1) {
      nTest = 1;
    }
    return new Split(select(Arrays.copyOfRange(order, nTest, size)), select(Arrays.copyOfRange(order, 0, nTest)));
  }

  /** One batch: flat inputs and targets of {@code size} samples. */
  public record Batch(float[] x, float[] y, int size, long[] inputShape, long[] targetShape) {
    /** Full input shape including the batch dimension. */
    public long[] xShape() {
      return prepend(size, inputShape);
    }

    /** Full target shape including the batch dimension. */
    public long[] yShape() {
      return prepend(size, targetShape);
    }
  }

  static long[] prepend(long first, long[] rest) {
    long[] s = new long[rest.length + 1];
    s[0] = first;
    System.arraycopy(rest, 0, s, 1, rest.length);
    return s;
  }

  /**
   * Batches in order, or shuffled with {@code rng} when it is non-null. The last batch may be smaller
   * unless {@code dropLast}.
   */
  public Iterable<Batch> batches(int batchSize, Random rng, boolean dropLast) {
    if (batchSize <= 0) {
      throw new BadInputException("batch size must be positive, got " + batchSize);
    }
    int[] order = rng == null ? identity(size) : permutation(size, rng);
    int count = dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
    int xPer = (int) elements(inputShape);
    int yPer = (int) elements(targetShape);
    return () -> new Iterator<>() {
      int next = 0;

      @Override
      public boolean hasNext() {
        return next < count;
      }

      @Override
      public Batch next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int from = next * batchSize;
        int n = Math.min(batchSize, size - from);
        float[] bx = new float[n * xPer];
        float[] by = new float[n * yPer];
        for (int i = 0; i < n; i++) {
          int s = order[from + i];
          System.arraycopy(x, s * xPer, bx, i * xPer, xPer);
          System.arraycopy(y, s * yPer, by, i * yPer, yPer);
        }
        next++;
        return new Batch(bx, by, n, inputShape, targetShape);
      }
    };
  }

  /** Number of batches {@link #batches} yields. */
  @Override
  public int batchCount(int batchSize, boolean dropLast) {
    return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  private static int[] permutation(int n, Random rng) {
    int[] a = identity(n);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  @Override
  public String toString() {
    return String.format("%s: %d samples, x %s, y %s%s", source, size, Arrays.toString(inputShape),
        Arrays.toString(targetShape), classNames.isEmpty() ? "" : ", classes " + classNames);
  }

}
