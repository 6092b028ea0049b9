package dev.compresso.api;

import dev.compresso.CompressoException;
import dev.compresso.validate.Validator;
import dev.compresso.data.SampleSource;
import dev.compresso.edgetpu.EdgeTpuChecker;
import dev.compresso.edgetpu.EdgeTpuReport;
import dev.compresso.io.AtomicOutput;
import dev.compresso.progress.ProgressListener;
import dev.compresso.tflite.TfliteModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A TensorFlow Lite model in memory, checked on creation ({@link TfliteModel}: the flatbuffer verified, every
 * index in range): the output of {@link CompressoModel#convert}, or a file read by {@link Compresso#tflite}.
 */
public final class TfliteFile {

  private final TfliteModel model;
  private final Path file;
  private final ProgressListener progress;

  private TfliteFile(TfliteModel model, Path file, ProgressListener progress) {
    this.model = Objects.requireNonNull(model, "model");
    this.file = file;
    this.progress = ProgressListener.orNone(progress);
  }

  static TfliteFile of(TfliteModel model, Path file) {
    return new TfliteFile(model, file, null);
  }

  static TfliteFile converted(byte[] bytes, String name, ProgressListener progress) {
    return new TfliteFile(TfliteModel.fromBytes(bytes, name), null, progress);
  }

  /** A model from its flatbuffer bytes (e.g. {@link dev.compresso.diagnose.FloatLayerSearch.Result#tflite}). */
  public static TfliteFile fromBytes(byte[] bytes, String name) {
    return converted(bytes, name, null);
  }

  /** The same model reporting to {@code listener}. */
  public TfliteFile withProgress(ProgressListener listener) {
    return new TfliteFile(model, file, listener);
  }

  /** The same model under another name, which messages and reports use (e.g. the file it will be saved as). */
  public TfliteFile withName(String name) {
    return new TfliteFile(TfliteModel.fromBytes(model.bytes(), name), file, progress);
  }

  /** A model with its kernels stored sparse, and how many were. */
  public record SparseEncoding(TfliteFile file, int kernels) {}

  /**
   * The same model with every kernel of at least {@code threshold} zeros stored sparse (TFLite's {@code
   * SparsityParameters} and {@code DENSIFY} ops, {@link dev.compresso.tflite.convert.SparseWeights}); the
   * interpreter's outputs are unchanged.
   */
  public SparseEncoding withSparseWeights(double threshold) {
    dev.compresso.tflite.convert.SparseWeights.Result r =
        dev.compresso.tflite.convert.SparseWeights.apply(model.bytes(), threshold);
    return new SparseEncoding(new TfliteFile(TfliteModel.fromBytes(r.model(), model.source()), null, progress),
        r.encoded().size());
  }

  /** The parsed model (subgraphs, tensors, operators, signatures). */
  public TfliteModel model() {
    return model;
  }

  /** The flatbuffer's bytes (a copy). */
  public byte[] bytes() {
    return model.bytes();
  }

  public long sizeBytes() {
    return model.sizeBytes();
  }

  /** The file it was read from or last saved to, if any. */
  public java.util.Optional<Path> file() {
    return java.util.Optional.ofNullable(file);
  }

  /**
   * Writes the model to {@code target} atomically (a temporary sibling renamed into place).
   *
   * @param overwrite replace an existing non-empty file; otherwise that is an error
   * @return this model, remembering {@code target} as its file
   */
  public TfliteFile save(Path target, boolean overwrite) {
    AtomicOutput.checkWritableFile(target, overwrite);
    AtomicOutput.writeFile(target, model.bytes());
    return new TfliteFile(model, target, progress);
  }

  /**
   * The static Edge TPU compatibility report: per operator whether Coral's compiler would map it and why not,
   * the share of operations and MACs on the TPU, parameter bytes against on-chip memory.
   */
  public EdgeTpuReport edgeTpu() {
    return EdgeTpuChecker.check(model);
  }

  /** {@link #validate(CompressoModel, SampleSource, Validating)} with the default measurements. */
  public Validation validate(CompressoModel reference, SampleSource data) {
    return validate(reference, data, Validating.defaults());
  }

  /**
   * Measures this model against {@code reference} (the model it was converted from) on {@code data}: both
   * models' loss and metric on the same samples, the largest output difference, latency and peak memory of
   * each in a child process of its own, sizes. A model or reference that exists only in memory is written to
   * a temporary file for the child processes (the reference's is deleted when the reference is closed).
   */
  public Validation validate(CompressoModel reference, SampleSource data, Validating options) {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(data, "data");
    Path referenceDir = reference.savedModelDir();
    Path tflite = file;
    Path temporary = null;
    try {
      if (tflite == null) {
        temporary = Files.createTempFile("compresso-", ".tflite");
        Files.write(temporary, model.bytes());
        tflite = temporary;
      }
      return new Validation(Validator.validate(options.request(tflite, referenceDir, data.source(),
          reference.imported().signatureKey()), data, progress::note, options.predictions()));
    } catch (IOException e) {
      throw CompressoException.internal("could not write a temporary copy of " + model.source() + ": "
          + e.getMessage(), e);
    } finally {
      if (temporary != null) {
        try {
          Files.deleteIfExists(temporary);
        } catch (IOException e) {
          progress.note("could not delete the temporary file " + temporary + ": " + e.getMessage());
        }
      }
    }
  }

  @Override
  public String toString() {
    return model.source() + " (" + model.sizeBytes() + " bytes)";
  }
}
