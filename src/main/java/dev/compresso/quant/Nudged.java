package dev.compresso.quant;

/**
 * A FakeQuant range after TF's nudging ({@link FakeQuantMath#nudge}).
 *
 * @param nudgedMin the smallest representable value, {@code (quantMin - zeroPoint) * scale}
 * @param nudgedMax the largest, {@code (quantMax - zeroPoint) * scale}
 * @param scale the step between representable values
 * @param zeroPoint the quantized value of 0.0, in {@code [quantMin, quantMax]} (unsigned, as TF counts)
 * @param quantMin the smallest quantized value (1 with a narrow range, else 0)
 * @param quantMax the largest quantized value, {@code 2^bits - 1}
 */
public record Nudged(float nudgedMin, float nudgedMax, float scale, int zeroPoint, int quantMin,
    int quantMax) {

  /**
   * The same grid as TFLite int8 parameters: TF's unsigned grid {@code [0, 255]} shifted by -128 ({@code
   * int8 = q - 128}), so the int8 zero point is {@code zeroPoint - 128} and the scale is unchanged.
   */
  public Int8Params toInt8() {
    if (quantMax != 255) {
      throw new IllegalStateException("an int8 grid needs 8 bits, this one has quant_max " + quantMax);
    }
    return new Int8Params(scale, zeroPoint - 128);
  }
}
