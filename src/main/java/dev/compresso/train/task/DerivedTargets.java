package dev.compresso.train.task;

import dev.compresso.data.BatchStream;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import java.util.List;
import java.util.Random;

/**
 * A source that keeps another source's inputs and derives new targets from each batch, batch by batch (a
 * streamed set stays streamed): the one place {@link ClassIndexTargets} (labels made one-hot) and {@link
 * TeacherTargets} (the source model's outputs) share their delegation, streaming, splitting and head.
 */
abstract class DerivedTargets implements SampleSource {

  /** What turns one batch into its targets; opened per stream (and per head) and closed with it. */
  interface Deriver extends AutoCloseable {
    /**
     * @param x the batch's inputs, {@code xShape} with the batch dimension first
     * @param y the underlying source's targets for the same samples
     * @param n the number of samples
     */
    float[] targets(float[] x, long[] xShape, float[] y, int n);

    @Override
    default void close() {}
  }

  protected final SampleSource inner;
  protected final long[] targetShape;

  DerivedTargets(SampleSource inner, long[] targetShape) {
    this.inner = inner;
    this.targetShape = targetShape.clone();
  }

  /** A deriver for one pass. */
  abstract Deriver open();

  /** The same derivation over {@code other} (a part of a split). */
  abstract DerivedTargets over(SampleSource other);

  @Override
  public String source() {
    return inner.source();
  }

  @Override
  public int size() {
    return inner.size();
  }

  @Override
  public long[] inputShape() {
    return inner.inputShape();
  }

  @Override
  public long[] targetShape() {
    return targetShape.clone();
  }

  @Override
  public List<String> classNames() {
    return List.of();
  }

  @Override
  public BatchStream stream(int batchSize, Random rng, boolean dropLast) {
    BatchStream batches = inner.stream(batchSize, rng, dropLast);
    Deriver deriver = open();
    return new BatchStream() {
      @Override
      public boolean hasNext() {
        return batches.hasNext();
      }

      @Override
      public Dataset.Batch next() {
        Dataset.Batch b = batches.next();
        return new Dataset.Batch(b.x(), deriver.targets(b.x(), b.xShape(), b.y(), b.size()), b.size(),
            b.inputShape(), targetShape.clone());
      }

      @Override
      public void close() {
        try {
          batches.close();
        } finally {
          deriver.close();
        }
      }
    };
  }

  @Override
  public Split partition(double testFraction, long seed) {
    Split s = inner.partition(testFraction, seed);
    return new Split(over(s.train()), over(s.test()));
  }

  @Override
  public Dataset head(int n) {
    Dataset d = inner.head(n);
    try (Deriver deriver = open()) {
      float[] y = deriver.targets(d.inputs(), withBatch(d.size(), d.inputShape()), d.targets(), d.size());
      return Dataset.of(d.source(), d.inputs(), d.inputShape(), y, targetShape, d.size());
    }
  }

  private static long[] withBatch(int n, long[] shape) {
    long[] s = new long[shape.length + 1];
    s[0] = n;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }
}
