package dev.compresso.api;

import dev.compresso.validate.ValidationRequest;
import dev.compresso.validate.Validator;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import dev.compresso.model.Freezer;
import dev.compresso.model.ImportOptions;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.SavedModels;
import dev.compresso.progress.ProgressListener;
import dev.compresso.tflite.TfliteModel;
import java.nio.file.Path;

/** Where a program starts: load a model or a {@code .tflite}, open data. */
public final class Compresso {

  private Compresso() {}

  /**
   * Imports signature {@code serving_default} (tag {@code serve}) of the SavedModel in {@code dir}, TF1 or
   * TF2/Keras, into a model the stages can prune, fine-tune and convert.
   *
   * @throws dev.compresso.BadInputException naming the directory when it is not a SavedModel Compresso can read
   */
  public static CompressoModel load(Path dir) {
    return load(dir, SavedModels.SERVE, SavedModels.SERVING_DEFAULT);
  }

  /** As {@link #load(Path)}, for another tag and signature. */
  public static CompressoModel load(Path dir, String tag, String signature) {
    return load(dir, tag, signature, ImportOptions.defaults());
  }

  /**
   * As {@link #load(Path, String, String)}, keeping only the output {@code options} names (when the signature
   * has several) and fixing the input shape where the signature leaves it open.
   */
  public static CompressoModel load(Path dir, String tag, String signature, ImportOptions options) {
    ImportedModel model = ModelImporter.read(dir, tag, signature, options);
    int batch = options.inputShape() == null ? Freezer.DEFAULT_BATCH : (int) options.inputShape().dims()[0];
    return CompressoModel.loaded(model, dir, batch);
  }

  /** Reads and checks a {@code .tflite} file. */
  public static TfliteFile tflite(Path file) {
    return TfliteFile.of(TfliteModel.read(file), file);
  }

  /**
   * Validates the {@code .tflite} file {@code tflite} against the SavedModel {@code reference} it was converted
   * from, on data opened from {@code dataSpec} (see {@link #data}), as {@code compresso validate} does: the
   * options are checked first, then the files, then the data.
   *
   * @param signature the reference's signature key
   */
  public static Validation validate(Path tflite, Path reference, String dataSpec, String signature,
      Validating options, ProgressListener progress) {
    ValidationRequest request = options.request(tflite, reference, dataSpec, signature);
    return new Validation(Validator.validate(request, ProgressListener.orNone(progress)::note, options.predictions()));
  }

  /**
   * Opens data: a {@code .npz} file (arrays {@code x}, {@code y}), a folder with {@code images/} and {@code
   * masks/} (or {@code labels.csv}), TFRecord files (streamed, never held whole in memory), or {@code
   * synthetic:shapes[?n=..&size=..&seed=..]}. In-memory arrays: {@link Dataset#of}.
   */
  public static SampleSource data(String spec) {
    return DataSources.openSource(spec);
  }
}
