package dev.compresso.model;

import dev.compresso.io.AtomicOutput;
import java.io.IOException;
import java.nio.file.Path;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * Writes a TF1-style SavedModel (tag {@code serve}) from a session with TF Java's exporter.
 */
public final class SavedModelExporter {

  /** The method name of a predict signature, which TF Serving's Predict API expects. */
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";

  private SavedModelExporter() {}

  /**
   * Exports {@code session}'s graph and variable values with one signature to {@code dir}, atomically
   * ({@link AtomicOutput#writeDir}).
   *
   * @param overwrite replace an existing {@code dir}; otherwise an existing non-empty dir is an error
   */
  public static void export(Session session, Signature signature, Path dir, boolean overwrite) {
    AtomicOutput.writeDir(dir, overwrite, staging -> exportInto(session, signature, staging));
  }

  /** Exports into an existing empty folder (the caller makes the whole output atomic). */
  public static void exportInto(Session session, Signature signature, Path emptyDir) throws IOException {
    SavedModelBundle.exporter(emptyDir.toString()).withSession(session).withSignature(signature).export();
  }
}
