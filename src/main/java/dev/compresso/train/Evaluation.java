package dev.compresso.train;

import dev.compresso.BadInputException;
import dev.compresso.data.BatchStream;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Mean per-sample scores (losses, metrics) of a model's predictions over a {@link SampleSource}, batch by
 * batch, so a streamed set is never held whole. Samples are scored in storage order and summed in double,
 * as {@link dev.compresso.train.loss.Loss#mean} sums them, so an in-memory set scores the same here as
 * through {@link Predictor#predict} and {@code mean}.
 */
public final class Evaluation {

  /** A per-sample score ({@link dev.compresso.train.loss.Loss#sample}, {@link dev.compresso.train.metric.Metric#sample}). */
  @FunctionalInterface
  public interface Scorer {
    double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape);
  }

  private Evaluation() {}

  /** The mean of each scorer over every sample of {@code data}, in {@code scorers} order. */
  public static double[] means(Session session, TrainableGraph model, SampleSource data, int batchSize,
      List<Scorer> scorers) {
    double[] sums = new double[scorers.size()];
    long[] sampleShape = data.targetShape();
    int per = (int) Dataset.elements(sampleShape);
    long n = 0;
    try (BatchStream batches = data.stream(batchSize, null, false)) {
      while (batches.hasNext()) {
        Dataset.Batch b = batches.next();
        float[] pred;
        try (TFloat32 x = Tensors.of(b.x(), b.xShape());
            Result r = session.runner().feed(model.input(), x).fetch(model.output()).run()) {
          pred = Tensors.read(r.get(0));
        }
        if (pred.length != b.y().length) {
          throw new BadInputException(String.format("%s: targets hold %d values per sample, the model "
              + "predicts %d", data.source(), per, pred.length / Math.max(1, b.size())));
        }
        for (int s = 0; s < b.size(); s++) {
          for (int k = 0; k < sums.length; k++) {
            sums[k] += scorers.get(k).sample(b.y(), pred, s * per, sampleShape);
          }
        }
        n += b.size();
      }
    }
    if (n == 0) {
      throw new BadInputException(data.source() + ": no samples to evaluate on");
    }
    for (int k = 0; k < sums.length; k++) {
      sums[k] /= n;
    }
    return sums;
  }

  /** The mean of one scorer. */
  public static double mean(Session session, TrainableGraph model, SampleSource data, int batchSize, Scorer scorer) {
    return means(session, model, data, batchSize, List.of(scorer))[0];
  }
}
