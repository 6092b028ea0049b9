package dev.compresso.model;

import org.tensorflow.proto.DataType;

/**
 * Names for TensorFlow's {@link DataType} enum as TensorFlow's Python API prints them ({@code float32},
 * {@code int64}, ...; see {@code tensorflow/python/framework/dtypes.py}), so that reports read like the
 * tools users know.
 */
final class DataTypes {

  private DataTypes() {}

  /** {@code DT_FLOAT} → {@code float32}, {@code DT_INT64} → {@code int64}, {@code DT_FLOAT_REF} → {@code float32_ref}. */
  static String name(DataType type) {
    if (type == DataType.UNRECOGNIZED) {
      return "unknown";
    }
    String raw = type.name();
    boolean ref = raw.endsWith("_REF");
    String base = (raw.startsWith("DT_") ? raw.substring(3) : raw).replace("_REF", "").toLowerCase();
    String name = switch (base) {
      case "float" -> "float32";
      case "double" -> "float64";
      case "half" -> "float16";
      case "invalid" -> "unknown";
      default -> base;
    };
    return ref ? name + "_ref" : name;
  }
}
