package dev.compresso.nativelogs;

import dev.compresso.tflite.NativeLibraries;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The minimum severity the native libraries log to stderr. Quiet (the default): TensorFlow's absl
 * logging and TFLite's logger write errors only, so a normal run prints only Compresso's own lines
 * (TensorFlow's "MLIR V1 optimization pass is not enabled" and TFLite's "Created TensorFlow Lite XNNPACK
 * delegate for CPU." are INFO). Verbose: everything from INFO up.
 *
 * <p>The levels are set in the already-loaded libraries (see {@code src/main/cpp/native_logs.cpp});
 * {@link #apply()} is called when TensorFlow is loaded and again when the TFLite natives are, since each
 * library keeps its own level.
 */
public final class NativeLogs {

  /** absl::LogSeverityAtLeast::kInfo (absl/base/log_severity.h). */
  static final int ABSL_INFO = 0;
  /** absl::LogSeverityAtLeast::kError. */
  static final int ABSL_ERROR = 2;
  /** tflite::TFLITE_LOG_INFO (tensorflow/lite/logger.h). */
  static final int TFLITE_INFO = 1;
  /** tflite::TFLITE_LOG_ERROR. */
  static final int TFLITE_ERROR = 3;

  /** Environment variable that turns native INFO lines on ("1"); child processes inherit the choice. */
  public static final String ENV = "COMPRESSO_VERBOSE";

  private static boolean firstRunDone;

  private static volatile boolean verbose = "1".equals(System.getenv(ENV));

  private NativeLogs() {}

  /** Chooses verbose (INFO and up) or quiet (errors only) native logging and applies it now. */
  public static void setVerbose(boolean on) {
    verbose = on;
    org.tensorflow.TensorFlow.version(); // loads TensorFlow's natives, whose level is set next
    apply();
    if (!on) {
      swallowFirstRunLines();
    }
  }

  /**
   * Runs one tiny TensorFlow session with stderr pointed at /dev/null. TensorFlow 2.18's
   * libtensorflow_cc logs "MLIR V1 optimization pass is not enabled" (LOG_FIRST_N, once per process)
   * through a logger whose level cannot be reached from outside, preceded by absl's "All log messages
   * before absl::InitializeLog()" warning (also once): both are spent here, where nothing else prints.
   */
  private static synchronized void swallowFirstRunLines() {
    if (firstRunDone) {
      return;
    }
    firstRunDone = true;
    System.err.flush();
    int saved = muteStderr();
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      try (TFloat32 t = (TFloat32) s.runner().fetch(tf.math.add(tf.constant(1f), tf.constant(1f))).run().get(0)) {
        t.getFloat();
      }
    } finally {
      restoreStderr(saved);
    }
  }

  /** Loads TensorFlow and applies the level this process inherited ({@value #ENV}); for child-process mains. */
  public static void applyInherited() {
    setVerbose(verbose);
  }

  /** Whether native INFO lines are let through. */
  public static boolean verbose() {
    return verbose;
  }

  /**
   * Sets the level in every native library loaded so far; returns a bit set (1: TensorFlow's, 2:
   * TFLite's) of those that were found.
   */
  public static synchronized int apply() {
    NativeLibraries.load("native_logs");
    return setLevels(verbose ? ABSL_INFO : ABSL_ERROR, verbose ? TFLITE_INFO : TFLITE_ERROR);
  }

  private static native int setLevels(int abslLevel, int tfliteLevel);

  private static native int muteStderr();

  private static native void restoreStderr(int saved);
}
