package dev.compresso.diagnose;

import java.util.Locale;

/** The human-readable form of a {@link Diagnosis}. */
public final class DiagnosisText {

  private DiagnosisText() {}

  public static String format(Diagnosis d) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%s against %s, %d sample(s); %d of %d quantized activation tensors matched "
        + "to a reference tensor (%.0f%%)%n%n", d.file(), d.reference(), d.samples(), d.matched(), d.tensors().size(),
        100 * d.matchRate()));
    int width = Math.max(12, Math.min(48, d.layers().stream().mapToInt(String::length).max().orElse(12)));
    b.append(String.format(Locale.ROOT, "%-4s %-" + width + "s %-14s %-10s %5s  %-22s %7s %9s %9s %7s %8s %7s%n", "#",
        "tensor (layer)", "op", "scale", "zp", "float range", "levels", "rmse", "rmse/sc", "cosine", "rel.err", "clipped"));
    for (int i = 0; i < d.tensors().size(); i++) {
      Diagnosis.TensorError e = d.tensors().get(i);
      boolean compared = e.node() != null && Double.isFinite(e.relativeError());
      b.append(String.format(Locale.ROOT, "%-4d %-" + width + "s %-14s %-10.4g %5d  %-22s %7s %9s %9s %7s %8s %7s%n",
          e.index(), cut(d.layers().get(i), width), e.rescaledChannels() > 0 ? e.producer() + "*" : e.producer(),
          e.scale(), e.zeroPoint(),
          compared ? String.format(Locale.ROOT, "[%.3g, %.3g]", e.floatMin(), e.floatMax())
              : e.node() == null ? "(no reference tensor)" : "(not compared)",
          num("%.1f", e.levels()), num("%.4g", e.rmse()), num("%.3f", e.rmseOverScale()), num("%.4f", e.cosine()),
          num("%.4f", e.relativeError()), Double.isFinite(e.saturated()) ? String.format(Locale.ROOT, "%.2f%%",
              100 * e.saturated()) : "-"));
    }
    long rescaled = d.tensors().stream().filter(e -> e.rescaledChannels() > 0).count();
    if (rescaled > 0) {
      b.append(String.format(Locale.ROOT, "* %d tensor(s) compared after the per-channel factors concat equalization "
          + "applied to their float values (the range and errors are of the rescaled values)%n", rescaled));
    }
    b.append(String.format("%nShared scales (TFLite's integer kernels make these tensors use one scale):%n"));
    if (d.sharedScales().isEmpty()) {
      b.append("  none\n");
    }
    for (var grp : d.sharedScales()) {
      b.append("  ").append(String.join(" = ", grp.stream().map(d::layerOf).toList())).append('\n');
    }
    b.append(String.format("%nWhere the error jumps (graph order):%n"));
    if (d.jumps().isEmpty()) {
      b.append("  nowhere: no tensor's relative error rises above " + Diagnoser.JUMP_MIN_ERROR + " with a cosine "
          + "below " + Diagnoser.NO_JUMP_COSINE + "\n");
    }
    for (Diagnosis.Jump j : d.jumps()) {
      b.append(String.format(Locale.ROOT, "  %s (node %s): relative error %.3f (inputs %.3f), %s%n    why: %s%n"
          + "    do: %s%n", d.layerOf(j.tensor()), j.node(), j.relativeError(), j.inputError(), j.cause(), j.why(),
          j.remedy()));
    }
    b.append(String.format(Locale.ROOT, "%nFloat ops between QUANTIZE/DEQUANTIZE (per-op profile, builtin kernels, "
        + "1 thread, %.3f ms per run in all):%n", d.totalMs()));
    if (d.islands().isEmpty()) {
      b.append("  none: every op between the model's input and output is integer\n");
    }
    for (Diagnosis.FloatIsland is : d.islands()) {
      b.append(String.format(Locale.ROOT, "  DEQUANTIZE %s -> %s -> QUANTIZE %s: %.3f ms, %.1f%% of the run%n",
          is.dequantize(), is.floatOps(), is.quantize(), is.ms(), 100 * is.share()));
    }
    return b.toString();
  }

  /** A number, or "-" where it is not one (a tensor without a float counterpart). */
  private static String num(String format, double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "-";
  }

  private static String cut(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 3) + "...";
  }
}
