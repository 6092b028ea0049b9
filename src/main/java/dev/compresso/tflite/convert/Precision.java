package dev.compresso.tflite.convert;

import dev.compresso.BadInputException;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the converter does to weights and activations, named as on the command line. Semantics follow the
 * TFLite post-training quantization guide (https://www.tensorflow.org/lite/performance/post_training_quantization).
 */
public enum Precision {
  /** Float32 weights and activations. */
  FP32("fp32"),
  /** Float16 weights dequantized to float32 at load time ({@code DEQUANTIZE} ops); float activations. */
  FP16("fp16"),
  /** Dynamic-range: int8 weights, float activations quantized on the fly by hybrid kernels. */
  DYNAMIC("dynamic"),
  /** Full integer: int8 weights and activations, int32 bias; ranges come from FakeQuant nodes. */
  INT8("int8"),
  /**
   * 16x8: int16 activations (symmetric), int8 weights, int64 bias, from the same ranges as {@link #INT8}
   * ({@link Int16Activations}); float I/O.
   */
  INT16X8("int16x8");

  private final String cliName;

  Precision(String cliName) {
    this.cliName = cliName;
  }

  /** The name used on the command line and in reports. */
  public String cliName() {
    return cliName;
  }

  /** Whether activations are integer too, so conversion needs their ranges (QAT's FakeQuant or calibration). */
  public boolean fullInteger() {
    return this == INT8 || this == INT16X8;
  }

  /** Parses a command-line name ({@code fp32|fp16|dynamic|int8|int16x8}, case-insensitive). */
  public static Precision parse(String name) {
    for (Precision p : values()) {
      if (p.cliName.equals(name.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new BadInputException("unknown precision '" + name + "'; accepted: "
        + String.join("|", Arrays.stream(values()).map(Precision::cliName).toList()));
  }
}
