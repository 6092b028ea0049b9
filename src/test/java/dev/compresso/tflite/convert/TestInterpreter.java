package dev.compresso.tflite.convert;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolver;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.TfLiteTensor;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * Runs a one-input, one-output .tflite in the real TFLite interpreter (bytedeco 2.19, verified loading)
 * for numeric checks; quantized I/O is (de)quantized with the tensor's scale and zero point. A stand-in
 * until the interpreter runner lands in {@code tflite/}.
 */
final class TestInterpreter {

  private TestInterpreter() {}

  static float[] run(byte[] tflite, float[] input) {
    Loader.load(tensorflowlite.class);
    try (BytePointer buffer = new BytePointer(tflite);
        FlatBufferModel model = FlatBufferModel.VerifyAndBuildFromBuffer(buffer, tflite.length);
        BuiltinOpResolver resolver = new BuiltinOpResolver();
        Interpreter interpreter = new Interpreter((Pointer) null);
        InterpreterBuilder builder = new InterpreterBuilder(model, resolver)) {
      if (model == null || model.isNull()) {
        throw new IllegalStateException("the flatbuffer did not verify");
      }
      check(builder.apply(interpreter), "build");
      if (interpreter.isNull()) {
        throw new IllegalStateException("no interpreter was built");
      }
      check(interpreter.AllocateTensors(), "AllocateTensors");
      TfLiteTensor in = interpreter.input_tensor(0);
      write(in, input);
      check(interpreter.Invoke(), "Invoke");
      return read(interpreter.output_tensor(0));
    }
  }

  private static void write(TfLiteTensor t, float[] values) {
    switch (t.type()) {
      case tensorflowlite.kTfLiteFloat32 -> new FloatPointer(t.data().f()).capacity(values.length).put(values);
      case tensorflowlite.kTfLiteInt8, tensorflowlite.kTfLiteUInt8 -> {
        boolean signed = t.type() == tensorflowlite.kTfLiteInt8;
        float scale = t.params().scale();
        int zp = t.params().zero_point();
        BytePointer p = t.data().raw();
        for (int i = 0; i < values.length; i++) {
          long q = Math.round(values[i] / scale) + zp;
          q = Math.max(signed ? -128 : 0, Math.min(signed ? 127 : 255, q));
          p.put(i, (byte) q);
        }
      }
      default -> throw new IllegalStateException("input type " + t.type());
    }
  }

  private static float[] read(TfLiteTensor t) {
    int n = (int) (t.bytes() / (t.type() == tensorflowlite.kTfLiteFloat32 ? 4 : 1));
    float[] out = new float[n];
    switch (t.type()) {
      case tensorflowlite.kTfLiteFloat32 -> new FloatPointer(t.data().f()).capacity(n).get(out);
      case tensorflowlite.kTfLiteInt8, tensorflowlite.kTfLiteUInt8 -> {
        boolean signed = t.type() == tensorflowlite.kTfLiteInt8;
        BytePointer p = t.data().raw();
        for (int i = 0; i < n; i++) {
          int q = signed ? p.get(i) : p.get(i) & 0xff;
          out[i] = (q - t.params().zero_point()) * t.params().scale();
        }
      }
      default -> throw new IllegalStateException("output type " + t.type());
    }
    return out;
  }

  private static void check(int status, String what) {
    if (status != tensorflowlite.kTfLiteOk) {
      throw new IllegalStateException(what + " failed with status " + status);
    }
  }
}
