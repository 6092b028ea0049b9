package dev.compresso.model;

/**
 * Recognizes TensorFlow Java's errors. TF Java 1.1.0 maps TF status codes to exceptions in {@code
 * org.tensorflow.exceptions}, but not all extend {@code TensorFlowException}: {@code
 * TFInvalidArgumentException} is an {@code IllegalArgumentException} and {@code TFUnimplementedException}
 * an {@code UnsupportedOperationException} (a corrupt graph that fails to import raises the former), so
 * catching {@code TensorFlowException} alone lets them escape as internal errors.
 */
public final class TfErrors {

  private TfErrors() {}

  /** Whether TensorFlow raised {@code e} for a status it returned (bad graph, missing checkpoint, ...). */
  public static boolean isTensorFlow(Throwable e) {
    return e.getClass().getName().startsWith("org.tensorflow.exceptions.");
  }
}
