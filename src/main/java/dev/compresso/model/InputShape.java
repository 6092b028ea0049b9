package dev.compresso.model;

import dev.compresso.BadInputException;
import java.util.Arrays;
import java.util.Objects;
import org.tensorflow.proto.TensorShapeProto;

/**
 * A shape the user gives for a signature input whose declared shape has an unknown rank or unknown
 * dimensions: {@code --input-shape 1,128,128,3}, or {@code --input-shape image:1,128,128,3} naming the
 * input key.
 *
 * <p>The declared shape ({@code TensorInfo.tensor_shape} of the {@code SignatureDef}) may be of unknown
 * rank ({@code tf.TensorSpec(None)}) or hold {@code -1} dimensions; a given shape must agree with every
 * dimension that is known.
 *
 * @param input the input key it names, or {@code null} for the (only) input
 * @param dims every dimension, each at least 1
 */
public record InputShape(String input, long[] dims) {

  /** The syntax, for messages and help. */
  public static final String SYNTAX = "[NAME:]D0,D1,... e.g. 1,128,128,3";

  public InputShape {
    Objects.requireNonNull(dims, "dims");
    dims = dims.clone();
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  /**
   * Parses {@code [NAME:]D0,D1,...}.
   *
   * @throws BadInputException naming the option value when it is malformed or a dimension is below 1
   */
  public static InputShape parse(String text) {
    String s = text.strip();
    String name = null;
    int colon = s.lastIndexOf(':');
    if (colon >= 0) {
      name = s.substring(0, colon).strip();
      s = s.substring(colon + 1);
      if (name.isEmpty()) {
        throw new BadInputException("--input-shape '" + text + "': empty input name before ':' (" + SYNTAX + ")");
      }
    }
    String[] parts = s.split(",", -1);
    long[] dims = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        dims[i] = Long.parseLong(parts[i].strip());
      } catch (NumberFormatException e) {
        throw new BadInputException("--input-shape '" + text + "': '" + parts[i] + "' is not a whole number ("
            + SYNTAX + ")");
      }
      if (dims[i] < 1 || dims[i] > Integer.MAX_VALUE) {
        throw new BadInputException("--input-shape '" + text + "': dimension " + i + " is " + dims[i]
            + "; every dimension must be between 1 and " + Integer.MAX_VALUE);
      }
    }
    return new InputShape(name, dims);
  }

  /**
   * The shape of signature input {@code inputKey}: {@code given} when there is one (checked against the
   * declared shape), else the declared dimensions ({@code -1} where unknown).
   *
   * @param where how to name the model and signature in messages, e.g. {@code dir: signature 'serving_default'}
   * @throws BadInputException when the declared rank is unknown and no shape is given, or the given
   *     shape names another input or disagrees with a known dimension
   */
  public static long[] resolve(String where, String inputKey, TensorShapeProto declared, InputShape given) {
    if (given != null && given.input() != null && !given.input().equals(inputKey)) {
      throw new BadInputException(String.format("%s: --input-shape names input '%s', but the input is '%s'", where,
          given.input(), inputKey));
    }
    if (declared.getUnknownRank()) {
      if (given == null) {
        throw new BadInputException(String.format("%s: input '%s' has unknown rank (no shape in the signature); "
            + "give its full shape with --input-shape, e.g. --input-shape %s:1,128,128,3", where, inputKey, inputKey));
      }
      return given.dims();
    }
    long[] shape = new long[declared.getDimCount()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = Math.max(-1, declared.getDim(i).getSize());
    }
    if (given == null) {
      return shape;
    }
    long[] dims = given.dims();
    boolean agrees = dims.length == shape.length;
    for (int i = 0; agrees && i < shape.length; i++) {
      agrees = shape[i] < 0 || shape[i] == dims[i];
    }
    if (!agrees) {
      throw new BadInputException(String.format("%s: --input-shape %s does not fit input '%s' of shape %s (-1 = "
          + "unknown; only unknown dimensions can be set)", where, Arrays.toString(dims), inputKey, Arrays.toString(shape)));
    }
    return dims;
  }

  /**
   * Checks that every dimension but the batch (dimension 0, fixed separately) is known, as the converter
   * needs.
   *
   * @throws BadInputException naming the input and the option that fixes it
   */
  public static void requireStatic(String where, String inputKey, long[] shape) {
    StringBuilder example = new StringBuilder();
    boolean dynamic = false;
    for (int i = 0; i < shape.length; i++) {
      example.append(i == 0 ? "" : ",");
      if (shape[i] < 0) {
        dynamic |= i > 0;
        example.append(i == 0 ? "1" : "D" + i);
      } else {
        example.append(shape[i]);
      }
    }
    if (dynamic) {
      throw new BadInputException(String.format("%s: input '%s' has shape %s with unknown dimensions besides the "
          + "batch; the converter needs them: give --input-shape %s:%s with the sizes you serve", where, inputKey,
          Arrays.toString(shape), inputKey, example));
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InputShape s && Objects.equals(input, s.input) && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Objects.hash(input, Arrays.hashCode(dims));
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(input == null ? "" : input + ":");
    for (int i = 0; i < dims.length; i++) {
      b.append(i == 0 ? "" : ",").append(dims[i]);
    }
    return b.toString();
  }
}
