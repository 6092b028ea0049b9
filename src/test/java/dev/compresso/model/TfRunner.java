package dev.compresso.model;

import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/** Runs the tiny models in TF Java for reference outputs (tests only). */
public final class TfRunner {

  private TfRunner() {}

  /** Runs {@code serving_default} of a SavedModel on one [1,H,W,C] input. */
  public static float[] runSavedModel(Path dir, float[] input) {
    try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), Freezer.SERVE_TAG);
        TFloat32 x = tensor(input);
        Result r = b.session().runner().feed("x", x).fetch("y").run()) {
      return values(r.get(0));
    }
  }

  /** Runs a frozen graph (imported into a fresh graph) on one [1,H,W,C] input. */
  public static float[] runGraphDef(GraphDef graphDef, float[] input) {
    try (Graph g = new Graph()) {
      g.importGraphDef(graphDef);
      try (Session s = new Session(g);
          TFloat32 x = tensor(input);
          Result r = s.runner().feed("x", x).fetch("y").run()) {
        return values(r.get(0));
      }
    }
  }

  private static TFloat32 tensor(float[] input) {
    return TFloat32.tensorOf(Shape.of(1, TinySavedModels.H, TinySavedModels.W, TinySavedModels.C),
        DataBuffers.of(input));
  }

  private static float[] values(Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] out = new float[(int) f.size()];
    f.copyTo(org.tensorflow.ndarray.NdArrays.wrap(f.shape(), DataBuffers.of(out, false, false)));
    return out;
  }
}
