package dev.compresso.train.task;

import dev.compresso.data.SampleSource;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelSession;
import dev.compresso.train.Tensors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/**
 * Inputs without labels, given the source model's own outputs as targets, batch by batch (a streamed set stays
 * streamed): what distillation without labels trains against in the metric's eyes, so that every epoch is
 * judged by its agreement with the source (accuracy of the student's arg-max against the source's, Dice of the
 * masks, ...). Each pass opens the source in a session of its own and closes it with the stream.
 */
public final class TeacherTargets extends DerivedTargets {

  private final ImportedModel source;

  /**
   * @param source the source model, its output the tensor the student trains
   * @param targetShape that output's per-sample shape
   */
  public TeacherTargets(SampleSource inputs, ImportedModel source, long[] targetShape) {
    super(inputs, targetShape);
    this.source = source;
  }

  @Override
  Deriver open() {
    ModelSession session = new ModelSession(source, v -> false);
    return new Deriver() {
      @Override
      public float[] targets(float[] x, long[] xShape, float[] y, int n) {
        try (TFloat32 in = Tensors.of(x, xShape);
            Result r = session.session().runner().feed(session.trainable().input(), in)
                .fetch(session.trainable().output()).run()) {
          return Tensors.read(r.get(0));
        }
      }

      @Override
      public void close() {
        session.close();
      }
    };
  }

  @Override
  DerivedTargets over(SampleSource other) {
    return new TeacherTargets(other, source, targetShape);
  }

  @Override
  public void digest(MessageDigest sha) {
    inner.digest(sha);
    sha.update(("targets from the source model " + source.source()).getBytes(StandardCharsets.UTF_8));
  }
}
