package dev.compresso.ptq;

/**
 * The math of AdaRound (Nagel et al., "Up or Down? Adaptive Rounding for Post-Training Quantization", ICML
 * 2020, §4 and eq. 22-24): a kernel value {@code w} with scale {@code s} becomes {@code s * (floor(w / s) +
 * h(V))}, {@code h} the rectified sigmoid {@code clip(sigmoid(V) (zeta - gamma) + gamma, 0, 1)} with {@code
 * zeta = 1.1}, {@code gamma = -0.1}; the regularizer {@code sum 1 - |2 h - 1|^beta} pushes {@code h} to 0 or
 * 1 while {@code beta} anneals from 20 to 2 after a warm start without it (20% of the iterations), as in the
 * paper's experiments and AIMET's defaults ({@code reg_param 0.01}, {@code beta_range (20, 2)}, {@code
 * warm_start 0.2}).
 */
public final class AdaRoundMath {

  public static final float ZETA = 1.1f;
  public static final float GAMMA = -0.1f;
  public static final float BETA_START = 20f;
  public static final float BETA_END = 2f;
  public static final float WARM_START = 0.2f;
  public static final float REG_WEIGHT = 0.01f;

  private AdaRoundMath() {}

  /** {@code h(V)}. */
  public static float rectifiedSigmoid(float v) {
    float sig = (float) (1 / (1 + Math.exp(-v)));
    return Math.max(0f, Math.min(1f, sig * (ZETA - GAMMA) + GAMMA));
  }

  /** The {@code V} with {@code h(V) = rest} for a fractional part {@code rest} in [0, 1): the paper's start at the float value. */
  public static float initial(float rest) {
    float r = Math.max(1e-4f, Math.min(1 - 1e-4f, rest));
    return (float) -Math.log((ZETA - GAMMA) / (r - GAMMA) - 1);
  }

  /** {@code beta} at 0-based step {@code t} of {@code total}: constant before the warm start ends, then linear from 20 to 2. */
  public static float beta(int t, int total) {
    float warm = WARM_START * total;
    if (t < warm) {
      return BETA_START;
    }
    float rel = (t - warm) / Math.max(1f, total - warm);
    return BETA_END + (BETA_START - BETA_END) * Math.max(0f, 1 - rel);
  }

  /** The regularizer's weight at step {@code t}: 0 during the warm start, {@link #REG_WEIGHT} after. */
  public static float regWeight(int t, int total) {
    return t < WARM_START * total ? 0f : REG_WEIGHT;
  }

  /** {@code 1 - |2 h - 1|^beta}: 0 at h = 0 or 1, 1 at h = 0.5. */
  public static float regularizer(float h, float beta) {
    return 1 - (float) Math.pow(Math.abs(2 * h - 1), beta);
  }
}
