package dev.compresso.model.keras;

import dev.compresso.data.Dataset;
import dev.compresso.data.NpzReader;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelSession;
import dev.compresso.train.Tensors;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/**
 * The Keras model-file fixtures under {@code src/test/resources/fixtures/keras_files} (made by
 * {@code make_fixtures.py} there with Keras 3.15) and TF Java runs of imported models.
 */
public final class KerasFiles {

  private KerasFiles() {}

  /** {@code fixtures/keras_files/<name>}, e.g. {@code unet.h5}. */
  public static Path file(String name) {
    URL url = KerasFiles.class.getResource("/fixtures/keras_files/make_fixtures.py");
    if (url == null) {
      throw new IllegalStateException("test resources fixtures/keras_files are missing");
    }
    try {
      return Path.of(url.toURI()).getParent().resolve(name);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Keras' inputs {@code x} and outputs {@code y} for fixture {@code model} ({@code <model>.npz}). */
  public static Dataset reference(String model) {
    return NpzReader.read(file(model + ".npz"));
  }

  /** The imported model's output on {@code x} (a batch of {@code batch} samples), run in TF Java. */
  public static float[] run(ImportedModel model, float[] x, long[] sampleShape, int batch) {
    long[] shape = new long[sampleShape.length + 1];
    shape[0] = batch;
    System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
    try (ModelSession s = new ModelSession(model, v -> false);
        TFloat32 in = Tensors.of(x, shape);
        Result r = s.session().runner().feed(model.inputTensor(), in).fetch(model.outputTensor()).run()) {
      return Tensors.read(r.get(0));
    }
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
    }
    return m;
  }

  static float[] sample(float[] all, int i, int per) {
    return Arrays.copyOfRange(all, i * per, (i + 1) * per);
  }
}
