package dev.compresso.tflite.convert;

import dev.compresso.BadInputException;
import java.util.Objects;
import java.util.Set;

/**
 * How to convert: precision and, for full integer, the I/O type. Build with {@link #builder(Precision)}.
 *
 * @param precision weights/activations precision
 * @param io the I/O element type; int8 and uint8 need {@link Precision#INT8}, int16 {@link Precision#INT16X8}
 * @param keepFloat graph nodes whose TFLite ops run in float in an int8 or 16x8 model ({@link FloatLayers}); empty
 *     for a fully integer one
 */
public record ConversionOptions(Precision precision, IoType io, Set<String> keepFloat) {

  public ConversionOptions {
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(io, "io");
    if (io == IoType.INT16 && precision != Precision.INT16X8) {
      throw new BadInputException("--io int16 needs --precision int16x8; accepted with " + precision.cliName() + ": "
          + (precision == Precision.INT8 ? "--io float, int8 or uint8" : "--io float"));
    }
    if ((io == IoType.INT8 || io == IoType.UINT8) && precision != Precision.INT8) {
      throw new BadInputException("--io " + io.cliName() + " needs --precision int8 (a "
          + precision.cliName() + " model has " + (precision == Precision.INT16X8 ? "int16 or float" : "float")
          + " inputs and outputs); accepted with " + precision.cliName() + ": --io float"
          + (precision == Precision.INT16X8 ? " or int16" : ""));
    }
    keepFloat = Set.copyOf(keepFloat);
    if (!keepFloat.isEmpty() && !precision.fullInteger()) {
      throw new BadInputException("--keep-float needs --precision int8 or int16x8 (a " + precision.cliName()
          + " model is float already)");
    }
  }

  /** A builder with the precision set; I/O defaults to float. */
  public static Builder builder(Precision precision) {
    return new Builder(precision);
  }

  /** Options for {@code precision} with float I/O. */
  public static ConversionOptions of(Precision precision) {
    return builder(precision).build();
  }

  /** Builder for {@link ConversionOptions}; validated in {@link #build()}. */
  public static final class Builder {
    private final Precision precision;
    private IoType io = IoType.FLOAT;
    private Set<String> keepFloat = Set.of();

    private Builder(Precision precision) {
      this.precision = precision;
    }

    /** The I/O element type (default float). */
    public Builder optIo(IoType io) {
      this.io = io;
      return this;
    }

    /** Graph nodes whose ops stay float in an int8 model (default none). */
    public Builder optKeepFloat(Set<String> nodes) {
      this.keepFloat = nodes;
      return this;
    }

    public ConversionOptions build() {
      return new ConversionOptions(precision, io, keepFloat);
    }
  }
}
