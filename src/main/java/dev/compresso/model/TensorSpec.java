package dev.compresso.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * One input or output of a signature, as its {@code TensorInfo} in the {@code SignatureDef} states it.
 *
 * @param key the signature's name for it (what callers feed or fetch by)
 * @param tensor the graph tensor ({@code node:index}); for sparse or composite tensors, which have no
 *     single name, the encoding in brackets, e.g. {@code [coo_sparse]}
 * @param dtype TensorFlow's Python name of the dtype, e.g. {@code float32}
 * @param shape dimensions with -1 for unknown ones; {@code null} when even the rank is unknown
 */
public record TensorSpec(String key, String tensor, String dtype, List<Long> shape) {

  static TensorSpec of(String key, TensorInfo info) {
    String tensor = info.getEncodingCase() == TensorInfo.EncodingCase.NAME
        ? info.getName()
        : "[" + info.getEncodingCase().name().toLowerCase() + "]";
    return new TensorSpec(key, tensor, DataTypes.name(info.getDtype()), shape(info.getTensorShape()));
  }

  /** Dimensions of a shape proto, -1 for unknown ones, or {@code null} for an unknown rank. */
  static List<Long> shape(TensorShapeProto proto) {
    if (proto.getUnknownRank()) {
      return null;
    }
    List<Long> dims = new ArrayList<>(proto.getDimCount());
    for (TensorShapeProto.Dim d : proto.getDimList()) {
      dims.add(d.getSize() < 0 ? -1L : d.getSize());
    }
    return Collections.unmodifiableList(dims);
  }

  /** Product of the dimensions, or -1 when the rank or a dimension is unknown, or the product overflows. */
  static long elements(List<Long> shape) {
    if (shape == null) {
      return -1;
    }
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        return -1;
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        return -1;
      }
    }
    return n;
  }
}
