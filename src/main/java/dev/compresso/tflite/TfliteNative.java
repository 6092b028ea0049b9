package dev.compresso.tflite;

import dev.compresso.CompressoException;
import dev.compresso.nativelogs.NativeLogs;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * The TFLite natives: bytedeco's interpreter library, and Compresso's small bridge ({@code
 * src/main/cpp/tflite_xnnpack.cpp}) for what the presets do not map: the XNNPACK delegate with explicit
 * flags and an error reporter that keeps TFLite's messages.
 */
final class TfliteNative {

  /** {@code TFLITE_XNNPACK_DELEGATE_FLAG_QS8}: signed int8 operators (xnnpack_delegate.h). */
  static final int XNNPACK_FLAG_QS8 = 1;
  /** {@code TFLITE_XNNPACK_DELEGATE_FLAG_QU8}: unsigned uint8 operators (xnnpack_delegate.h). */
  static final int XNNPACK_FLAG_QU8 = 2;

  private static String tfliteLibrary;

  private TfliteNative() {}

  /** Loads bytedeco's TFLite (first, as the bridge looks its symbols up there), then the bridge. */
  static synchronized void load() {
    if (tfliteLibrary != null) {
      return;
    }
    String path;
    try {
      path = Loader.load(tensorflowlite.class);
    } catch (Throwable e) {
      throw CompressoException.internal("cannot load the TFLite interpreter natives (bytedeco "
          + "tensorflow-lite 2.19 for linux-x86_64): " + e.getMessage(), e);
    }
    if (path == null) {
      throw CompressoException.internal("bytedeco's Loader did not report where the TFLite library is", null);
    }
    NativeLibraries.load("tflite_xnnpack");
    tfliteLibrary = path;
    NativeLogs.apply();
  }

  /** Creates an XNNPACK delegate ({@code TfLiteXNNPackDelegateCreate}); 0 when TFLite refused. */
  static long createXnnpack(int numThreads, int flags) {
    load();
    return xnnpackCreate(tfliteLibrary, numThreads, flags);
  }

  static native long xnnpackCreate(String tfliteLibraryPath, int numThreads, int flags);

  static native int xnnpackFlags(long delegate);

  static native void xnnpackDelete(long delegate);

  static native long reporterCreate();

  static native String reporterTake(long reporter);

  static native void reporterDelete(long reporter);
}
