package dev.compresso.train.distill;

import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelSession;
import dev.compresso.progress.ProgressListener;
import dev.compresso.train.FitConfig;
import dev.compresso.train.loss.Loss;
import dev.compresso.train.task.ModelTask;
import dev.compresso.train.task.OutputKind;

/**
 * Chooses the distillation of a task and builds the training loss with the teacher in the session's graph: KL
 * of temperature-softened softmaxes for classifiers and multi-class segmenters (softmax or logits outputs),
 * binary cross-entropy to the teacher's probabilities for sigmoid masks, MSE for one-value logits and real
 * outputs. Distillation runs with {@code --distill}, and always when the data have no labels.
 */
public final class Distiller {

  private Distiller() {}

  /** The distillation loss for {@code task}'s output. */
  public static Distillation of(ModelTask task, double temperature) {
    long[] shape = task.outputShape();
    long classes = shape.length == 0 ? 1 : shape[shape.length - 1];
    OutputKind kind = task.output().kind();
    if (classes >= 2 && (kind == OutputKind.SOFTMAX || kind == OutputKind.LOGITS)) {
      return new SoftenedKl(temperature, kind == OutputKind.SOFTMAX);
    }
    if (kind == OutputKind.SIGMOID) {
      return new SigmoidBce(false);
    }
    return new LogitMse();
  }

  /**
   * The teacher to import with the student's graph, or null when this run does not distil.
   *
   * @param source the model before any compression, its output the tensor the student trains
   * @param studentInput the student's input tensor
   */
  public static Teacher teacher(ModelTask task, ImportedModel source, FitConfig fit, String studentInput) {
    return fit.distill() || !task.hasLabels() ? Teacher.of(source, studentInput) : null;
  }

  /**
   * The loss training {@code session}'s model: {@code task}'s own without a teacher, else a {@link DistilledLoss}
   * (the label loss mixed in by {@code fit.distillWeight()} when the data have labels). Says which on
   * {@code progress}.
   */
  public static Loss loss(ModelTask task, Teacher teacher, ModelSession session, FitConfig fit,
      ProgressListener progress) {
    if (teacher == null) {
      return task.loss();
    }
    DistilledLoss loss = new DistilledLoss(task.hasLabels() ? task.loss() : null, of(task, fit.temperature()),
        teacher.output(session.graph()), fit.distillWeight());
    ProgressListener.orNone(progress).note("distillation from " + teacher.source() + " as the teacher: "
        + loss.describe());
    return loss;
  }
}
