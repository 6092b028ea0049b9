package dev.compresso.quant;

/**
 * Where a weighted op's kernel sits and how it is quantized: symmetric, narrow range, 8 bits (TFLite's
 * int8 weight spec), per output channel along {@code channelAxis} of the TF kernel layout, or per tensor
 * when {@code channelAxis < 0}.
 *
 * @param input the data input position of the kernel on the op
 * @param channelAxis the output-channel axis of the TF kernel, or -1 for per tensor
 * @param multiplierAxis for depthwise conv, the channel-multiplier axis folded into the output channel
 *     ({@code out = in * multiplier + m}); -1 otherwise
 */
public record WeightQuant(int input, int channelAxis, int multiplierAxis) {

  /** Per tensor (dense kernels: TFLite stores them transposed, and per-channel ranges are refused). */
  public static WeightQuant perTensor(int input) {
    return new WeightQuant(input, -1, -1);
  }

  /** Per output channel along {@code axis}. */
  public static WeightQuant perChannel(int input, int axis) {
    return new WeightQuant(input, axis, -1);
  }

  public boolean perChannel() {
    return channelAxis >= 0;
  }
}
