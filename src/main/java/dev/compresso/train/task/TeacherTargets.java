package dev.compresso.train.task;

import dev.compresso.data.BatchStream;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelSession;
import dev.compresso.train.Tensors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/**
 * Inputs without labels, given the source model's own outputs as targets, batch by batch (a streamed set stays
 * streamed): what distillation without labels trains against in the metric's eyes, so that every epoch is
 * judged by its agreement with the source (accuracy of the student's arg-max against the source's, Dice of the
 * masks, ...). Each pass opens the source in a session of its own and closes it with the stream.
 */
public final class TeacherTargets implements SampleSource {

  private final SampleSource inputs;
  private final ImportedModel source;
  private final long[] targetShape;

  /**
   * @param source the source model, its output the tensor the student trains
   * @param targetShape that output's per-sample shape
   */
  public TeacherTargets(SampleSource inputs, ImportedModel source, long[] targetShape) {
    this.inputs = inputs;
    this.source = source;
    this.targetShape = targetShape.clone();
  }

  @Override
  public String source() {
    return inputs.source();
  }

  @Override
  public int size() {
    return inputs.size();
  }

  @Override
  public long[] inputShape() {
    return inputs.inputShape();
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
    BatchStream batches = inputs.stream(batchSize, rng, dropLast);
    ModelSession session = new ModelSession(source, v -> false);
    return new BatchStream() {
      @Override
      public boolean hasNext() {
        return batches.hasNext();
      }

      @Override
      public Dataset.Batch next() {
        Dataset.Batch b = batches.next();
        return new Dataset.Batch(b.x(), predict(session, b.x(), b.xShape()), b.size(), b.inputShape(),
            targetShape.clone());
      }

      @Override
      public void close() {
        try {
          batches.close();
        } finally {
          session.close();
        }
      }
    };
  }

  private static float[] predict(ModelSession session, float[] x, long[] shape) {
    try (TFloat32 in = Tensors.of(x, shape);
        Result r = session.session().runner().feed(session.trainable().input(), in)
            .fetch(session.trainable().output()).run()) {
      return Tensors.read(r.get(0));
    }
  }

  @Override
  public Split partition(double testFraction, long seed) {
    Split s = inputs.partition(testFraction, seed);
    return new Split(new TeacherTargets(s.train(), source, targetShape),
        new TeacherTargets(s.test(), source, targetShape));
  }

  @Override
  public Dataset head(int n) {
    Dataset d = inputs.head(n);
    try (ModelSession session = new ModelSession(source, v -> false)) {
      float[] y = predict(session, d.inputs(), withBatch(d.size(), d.inputShape()));
      return Dataset.of(d.source(), d.inputs(), d.inputShape(), y, targetShape, d.size());
    }
  }

  private static long[] withBatch(int n, long[] shape) {
    long[] s = new long[shape.length + 1];
    s[0] = n;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }

  @Override
  public void digest(MessageDigest sha) {
    inputs.digest(sha);
    sha.update(("targets from the source model " + source.source()).getBytes(StandardCharsets.UTF_8));
  }
}
