package dev.compresso.tflite;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.TfLiteTensor;
import org.tensorflow.lite.schema.TensorType;

/**
 * Moves values in and out of a live interpreter tensor: floats quantized on the way in with the tensor's
 * scale and zero point ({@code q = clamp(round(x / scale) + zero_point)}, rounding half away from zero like
 * TFLite's {@code QUANTIZE}) and dequantized on the way out ({@code x = scale * (q - zero_point)}); see
 * TFLite's quantization spec. The buffer is the tensor's own native memory, little-endian.
 */
final class TensorValues {

  private TensorValues() {}

  /** Writes float values into tensor {@code t}, quantizing for integer tensors; {@code what} names it in errors. */
  static void write(TfLiteTensor t, float[] values, String what) {
    int type = schemaType(t.type());
    long elements = elements(t);
    if (values.length != elements) {
      throw new BadInputException(what + " takes " + elements
          + " values (shape " + Arrays.toString(shapeOf(t)) + "), got " + values.length);
    }
    ByteBuffer buf = data(t);
    float scale = t.params().scale();
    int zero = t.params().zero_point();
    switch (type) {
      case TensorType.FLOAT32 -> buf.asFloatBuffer().put(values);
      case TensorType.INT8 -> {
        for (float v : values) {
          buf.put((byte) quantize(v, scale, zero, -128, 127));
        }
      }
      case TensorType.UINT8 -> {
        for (float v : values) {
          buf.put((byte) quantize(v, scale, zero, 0, 255));
        }
      }
      case TensorType.INT16 -> {
        for (float v : values) {
          buf.putShort((short) quantize(v, scale, zero, Short.MIN_VALUE, Short.MAX_VALUE));
        }
      }
      case TensorType.INT32 -> {
        for (float v : values) {
          buf.putInt(Math.round(v));
        }
      }
      case TensorType.INT64 -> {
        for (float v : values) {
          buf.putLong(Math.round((double) v));
        }
      }
      default -> throw new BadInputException(what + " is "
          + TfliteTypes.name(type) + "; float values can feed FLOAT32, INT8, UINT8, INT16, INT32 and INT64 inputs");
    }
  }

  /** Tensor {@code t}'s values as floats, dequantized for quantized integer tensors. */
  static float[] read(TfLiteTensor t, String what) {
    int type = schemaType(t.type());
    int n = (int) elements(t);
    ByteBuffer buf = data(t);
    float scale = t.params().scale();
    int zero = t.params().zero_point();
    boolean quantized = scale != 0f;
    float[] out = new float[n];
    switch (type) {
      case TensorType.FLOAT32 -> buf.asFloatBuffer().get(out);
      case TensorType.INT8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = dequantize(buf.get(), scale, zero, quantized);
        }
      }
      case TensorType.UINT8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = dequantize(buf.get() & 0xff, scale, zero, quantized);
        }
      }
      case TensorType.INT16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = dequantize(buf.getShort(), scale, zero, quantized);
        }
      }
      case TensorType.INT32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = dequantize(buf.getInt(), scale, zero, quantized);
        }
      }
      case TensorType.INT64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = buf.getLong();
        }
      }
      case TensorType.BOOL -> {
        for (int i = 0; i < n; i++) {
          out[i] = buf.get() != 0 ? 1f : 0f;
        }
      }
      default -> throw new BadInputException(what + " is "
          + TfliteTypes.name(type) + ", which cannot be read as floats; use outputBytes");
    }
    return out;
  }

  /** TFLite's QUANTIZE: round half away from zero, add the zero point, clamp to the type's range. */
  static int quantize(float x, float scale, int zeroPoint, int min, int max) {
    if (scale == 0f) {
      // Not quantized (a raw uint8 image, int8 data): the value itself, rounded and clamped to the type.
      return (int) Math.max(min, Math.min(max, Math.rint(x)));
    }
    double q = Math.signum(x / (double) scale) * Math.floor(Math.abs(x / (double) scale) + 0.5) + zeroPoint;
    return (int) Math.max(min, Math.min(max, q));
  }

  private static float dequantize(long q, float scale, int zeroPoint, boolean quantized) {
    return quantized ? scale * (q - zeroPoint) : q;
  }

  static ByteBuffer data(TfLiteTensor t) {
    Pointer p = t.data().data();
    if (p == null || p.isNull()) {
      throw CompressoException.internal("TFLite tensor has no data after AllocateTensors", null);
    }
    return new BytePointer(p).capacity(t.bytes()).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  static long elements(TfLiteTensor t) {
    long n = 1;
    for (int d : shapeOf(t)) {
      n *= d;
    }
    return n;
  }

  static int[] shapeOf(TfLiteTensor t) {
    int[] shape = new int[t.dims().size()];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = t.dims().data(d);
    }
    return shape;
  }

  /**
   * The schema's {@code TensorType} for a runtime {@code TfLiteType}: the runtime enum (c_api_types.h)
   * numbers FLOAT32 as 1 and so on; the schema numbers them differently.
   */
  static int schemaType(int tfLiteType) {
    return switch (tfLiteType) {
      case 1 -> TensorType.FLOAT32;
      case 2 -> TensorType.INT32;
      case 3 -> TensorType.UINT8;
      case 4 -> TensorType.INT64;
      case 5 -> TensorType.STRING;
      case 6 -> TensorType.BOOL;
      case 7 -> TensorType.INT16;
      case 8 -> TensorType.COMPLEX64;
      case 9 -> TensorType.INT8;
      case 10 -> TensorType.FLOAT16;
      case 11 -> TensorType.FLOAT64;
      case 12 -> TensorType.COMPLEX128;
      case 13 -> TensorType.UINT64;
      case 14 -> TensorType.RESOURCE;
      case 15 -> TensorType.VARIANT;
      case 16 -> TensorType.UINT32;
      case 17 -> TensorType.UINT16;
      case 18 -> TensorType.INT4;
      default -> -1;
    };
  }
}
