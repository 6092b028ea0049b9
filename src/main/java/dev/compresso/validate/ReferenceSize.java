package dev.compresso.validate;

import dev.compresso.model.DiskUsage;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.SavedModels;
import dev.compresso.model.keras.KerasImporter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A reference model's size two ways: (a) the file as the user gave it (a SavedModel folder with everything
 * in it, optimizer slots and duplicate variable copies included, or a {@code .keras}/{@code .h5} file), and
 * (b) its inference weights: the parameters the serving signature reads ({@link
 * dev.compresso.model.ImportedModel#parameterCount}, what {@code compresso inspect} counts; optimizer slots
 * and duplicates not counted) at 4 bytes each (float32).
 *
 * @param kind what (a) is, for reports: {@code SavedModel folder}, {@code .keras file} or {@code .h5 file}
 * @param disk the bytes on disk ({@code variables} and {@code total} equal for a Keras file)
 * @param parameters the inference parameters
 */
public record ReferenceSize(String kind, DiskUsage disk, long parameters) {

  /** Bytes of one float32 parameter. */
  public static final int FP32_BYTES = 4;

  /** Measures {@code model} served through {@code signature}. */
  public static ReferenceSize of(Path model, String signature) {
    DiskUsage disk = ReferenceModel.diskUsage(model);
    String kind = KerasImporter.isKerasFile(model)
        ? "." + model.getFileName().toString().replaceAll(".*\\.", "").toLowerCase(Locale.ROOT) + " file"
        : "SavedModel folder";
    long parameters = ModelImporter.read(model, SavedModels.SERVE,
        KerasImporter.isKerasFile(model) ? null : signature).parameterCount();
    return new ReferenceSize(kind, disk, parameters);
  }

  /** (a): the file or folder as given. */
  public long fileBytes() {
    return disk.total();
  }

  /** (b): the inference parameters as float32. */
  public long inferenceBytes() {
    return parameters * FP32_BYTES;
  }
}
