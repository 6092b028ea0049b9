package dev.compresso.tflite.convert;

import dev.compresso.CompressoException;
import dev.compresso.tflite.NativeLibraries;
import org.tensorflow.TensorFlow;

/**
 * The JNI converter bridge ({@code src/main/cpp/tflite_bridge.cpp}), loaded after TF Java and only in
 * the {@link ConverterWorker} process: a fatal check inside TensorFlow kills the process that hosts it.
 *
 * <p>The bridge calls {@code tensorflow::ConvertGraphDefToTFLiteFlatBuffer} in the libtensorflow_cc.so.2
 * that TF Java has loaded, so it is tied to that TensorFlow version ({@link #TF_VERSION}).
 */
final class NativeConverter {

  /** The TensorFlow version inside TF Java that the bridge's declared signatures were written for. */
  static final String TF_VERSION = "2.18.0";

  private static boolean loaded;

  private NativeConverter() {}

  /** Loads TF Java, checks its version, then loads and initializes the bridge. Idempotent. */
  static synchronized void load() {
    if (loaded) {
      return;
    }
    String version = TensorFlow.version();
    if (!TF_VERSION.equals(version)) {
      throw CompressoException.internal("the TFLite converter bridge was written for TensorFlow " + TF_VERSION
          + " (TF Java 1.1.0) but TF Java reports " + version + "; use TF Java 1.1.0", null);
    }
    NativeLibraries.load("tflite_bridge");
    String problem = nativeInit();
    if (problem != null) {
      throw CompressoException.internal("the TFLite converter bridge cannot run: " + problem, null);
    }
    loaded = true;
  }

  /**
   * Converts a serialized GraphDef with serialized flag messages.
   *
   * @throws IllegalArgumentException with the converter's message when it rejects the graph
   */
  static synchronized byte[] convert(byte[] graphDef, byte[] modelFlags, byte[] converterFlags) {
    load();
    return nativeConvertGraphDef(graphDef, modelFlags, converterFlags);
  }

  /** The library's own descriptor of a message or enum type as proto text, or null if unknown. */
  static synchronized String describe(String fullName) {
    load();
    return nativeDescribe(fullName);
  }

  private static native String nativeInit();

  private static native byte[] nativeConvertGraphDef(byte[] graphDef, byte[] modelFlags, byte[] converterFlags);

  private static native String nativeDescribe(String fullName);
}
