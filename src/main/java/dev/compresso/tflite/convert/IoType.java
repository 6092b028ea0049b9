package dev.compresso.tflite.convert;

import dev.compresso.BadInputException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The element type of a full-integer model's inputs and outputs. The Edge TPU wants int8 or uint8; float
 * keeps float I/O with {@code QUANTIZE}/{@code DEQUANTIZE} at the edges; int16 is for 16x8 models only.
 */
public enum IoType {
  FLOAT("float"),
  INT8("int8"),
  UINT8("uint8"),
  INT16("int16");

  private final String cliName;

  IoType(String cliName) {
    this.cliName = cliName;
  }

  /** The name used on the command line. */
  public String cliName() {
    return cliName;
  }

  /** Parses a command-line name ({@code float|int8|uint8|int16}, case-insensitive). */
  public static IoType parse(String name) {
    for (IoType t : values()) {
      if (t.cliName.equals(name.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new BadInputException("unknown I/O type '" + name + "'; accepted: "
        + String.join("|", Arrays.stream(values()).map(IoType::cliName).toList()));
  }
}
