package dev.compresso.tflite;

import org.tensorflow.lite.schema.TensorType;

/** Facts about the schema's {@code TensorType} values: names, element sizes, float or integer. */
final class TfliteTypes {

  private TfliteTypes() {}

  /** The {@code TensorType} name, or {@code null} when the code is not a type the schema knows. */
  static String name(int type) {
    if (type < 0 || type >= TensorType.names.length) {
      return null;
    }
    return TensorType.name(type);
  }

  /**
   * Bytes per element, or -1 for types without a fixed size (STRING, RESOURCE, VARIANT) and for INT4,
   * which packs two values per byte.
   */
  static int elementBytes(int type) {
    return switch (type) {
      case TensorType.FLOAT32, TensorType.INT32, TensorType.UINT32 -> 4;
      case TensorType.FLOAT16, TensorType.INT16, TensorType.UINT16 -> 2;
      case TensorType.UINT8, TensorType.INT8, TensorType.BOOL -> 1;
      case TensorType.INT64, TensorType.FLOAT64, TensorType.UINT64, TensorType.COMPLEX64 -> 8;
      case TensorType.COMPLEX128 -> 16;
      default -> -1;
    };
  }

  /** Whether the dtype name is a floating-point type. */
  static boolean isFloat(String dtype) {
    return dtype.startsWith("FLOAT") || dtype.startsWith("COMPLEX");
  }

  /** Whether the dtype name is an integer type (bool excluded). */
  static boolean isInteger(String dtype) {
    return dtype.startsWith("INT") || dtype.startsWith("UINT");
  }
}
