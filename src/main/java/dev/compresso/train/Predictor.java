package dev.compresso.train;

import dev.compresso.data.Dataset;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/** Runs a model's prediction over a dataset in batches, in TF Java. */
public final class Predictor {

  private Predictor() {}

  /** Predictions for every sample of {@code data}, flat, in sample order. */
  public static float[] predict(Session session, TrainableGraph model, Dataset data, int batchSize) {
    float[] out = null;
    int offset = 0;
    for (Dataset.Batch b : data.batches(batchSize, null, false)) {
      try (TFloat32 x = Tensors.of(b.x(), b.xShape());
          Result r = session.runner().feed(model.input(), x).fetch(model.output()).run()) {
        float[] y = Tensors.read(r.get(0));
        if (out == null) {
          out = new float[y.length / b.size() * data.size()];
        }
        System.arraycopy(y, 0, out, offset, y.length);
        offset += y.length;
      }
    }
    return out == null ? new float[0] : out;
  }
}
