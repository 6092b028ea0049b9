package dev.compresso.tflite.convert;

import dev.compresso.CompressoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

  private static final String RESOURCE = "/dev/compresso/native/libtflite_bridge.so";
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
    Path lib;
    try (InputStream in = NativeConverter.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw CompressoException.internal("the converter bridge " + RESOURCE + " is not on the classpath; "
            + "build Compresso with Maven (it compiles src/main/cpp with g++)", null);
      }
      lib = Files.createTempFile("compresso-tflite_bridge", ".so");
      lib.toFile().deleteOnExit();
      Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw CompressoException.internal("could not extract the converter bridge to a temp file: " + e, e);
    }
    System.load(lib.toString());
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
