package dev.compresso.validate;

import dev.compresso.diagnose.QuantBoundaries;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A {@link ValidationResult} as a plain-text table for the terminal: one row per measure, both models side by side. */
public final class ValidationTable {

  private ValidationTable() {}

  public static String format(ValidationResult r) {
    ValidationRequest q = r.request();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"", ".tflite", "reference", "tflite/ref"});
    rows.add(new String[] {"loss (" + r.tfliteQuality().loss() + ")", num(r.tfliteQuality().lossValue()),
        num(r.referenceQuality().lossValue()), ""});
    for (Map.Entry<String, Double> m : r.tfliteQuality().metrics().entrySet()) {
      rows.add(new String[] {m.getKey(), num(m.getValue()), num(r.referenceQuality().metrics().get(m.getKey())), ""});
    }
    for (int i = 0; i < r.tfliteRuns().size(); i++) {
      ProbeResult t = r.tfliteRuns().get(i);
      ProbeResult f = r.referenceRuns().get(i);
      String label = t.threads() + " thread" + (t.threads() == 1 ? "" : "s");
      rows.add(new String[] {"latency median, " + label, ms(t.latency().medianMs()) + mark(t.latency()),
          ms(f.latency().medianMs()) + mark(f.latency()), LatencyWindows.ratio(t.latency(), f.latency())});
      rows.add(new String[] {"  p10-p90, " + label, range(t.latency()), range(f.latency()), ""});
      rows.add(new String[] {"  calls per timed window", Integer.toString(t.latency().perWindow()),
          Integer.toString(f.latency().perWindow()), ""});
    }
    rows.add(new String[] {"peak RSS (VmHWM), 1 thread", mb(r.tflitePeakRssBytes()), mb(r.referencePeakRssBytes()),
        ratio(r.tflitePeakRssBytes(), r.referencePeakRssBytes())});
    ReferenceSize ref = r.sizes().referenceSize();
    rows.add(new String[] {"size vs inference weights (b)", bytes(r.sizes().tfliteBytes()), bytes(ref.inferenceBytes()),
        ratio(r.sizes().tfliteBytes(), ref.inferenceBytes())});
    rows.add(new String[] {"size vs " + ref.kind() + " as given (a)", bytes(r.sizes().tfliteBytes()),
        bytes(ref.fileBytes()), ratio(r.sizes().tfliteBytes(), ref.fileBytes())});
    rows.add(new String[] {"  .tflite gzip -9", bytes(r.sizes().tfliteGzipBytes()), "", ""});
    rows.add(new String[] {"float islands (DEQUANTIZE..QUANTIZE)", Integer.toString(r.boundaries().islands().size()),
        "", ""});
    long io = r.boundaries().requantize().stream().filter(QuantBoundaries.Requantize::io).count();
    rows.add(new String[] {"requantize ops (int8 -> int8 QUANTIZE)",
        r.boundaries().requantize().size() + (io > 0 ? " (" + io + " of I/O type)" : ""), "", ""});

    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%s vs %s [%s] on %d sample(s) of %s, %s, batch 1, %d runs after %d warm-up, %s kernels%n%n",
        q.tflite(), q.reference(), q.signature(), r.samples(), q.data(), r.task().name().toLowerCase(Locale.ROOT),
        q.runs(), q.warmup(), q.kernels()));
    int[] width = new int[4];
    for (String[] row : rows) {
      for (int c = 0; c < 4; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      sb.append(String.format("  %-" + width[0] + "s  %" + width[1] + "s  %" + width[2] + "s  %" + width[3] + "s",
          (Object[]) row).stripTrailing()).append('\n');
    }
    sb.append('\n').append("  output error vs reference:\n");
    for (OutputError e : r.errors()) {
      sb.append(String.format(Locale.ROOT, "    %s (reference '%s'): max |diff| %.3g, mean |diff| %.3g over %d values%n",
          e.tfliteName(), e.referenceName(), e.maxAbs(), e.meanAbs(), e.values()));
    }
    sb.append(String.format(Locale.ROOT, "  size: %s the reference's inference weights (b: %,d "
        + "parameters as fp32, %,d B); %s the %s as given (a: %,d B)%n", smallerOrLarger(r.sizes().timesSmallerThanWeights()),
        ref.parameters(), ref.inferenceBytes(), smallerOrLarger(r.sizes().timesSmallerThanFile()), ref.kind(),
        ref.fileBytes()));
    sb.append(r.boundaries().describe());
    List<String> unstable = new ArrayList<>();
    for (ProbeResult p : r.tfliteRuns()) {
      if (!p.latency().stable()) {
        unstable.add(".tflite at " + p.threads() + " thread(s): " + p.latency().unstable());
      }
    }
    for (ProbeResult p : r.referenceRuns()) {
      if (!p.latency().stable()) {
        unstable.add("reference at " + p.threads() + " thread(s): " + p.latency().unstable());
      }
    }
    sb.append(String.format(Locale.ROOT, "  latency: per call, median of %d timed windows of back-to-back calls (each "
        + ">= %.0f ms)%s%n", q.runs(), LatencyWindows.WINDOW_MS, unstable.isEmpty() ? "; stable"
        : "; UNSTABLE (*), ratios marked: " + String.join("; ", unstable)));
    return sb.toString();
  }

  private static String num(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String mark(LatencyStats s) {
    return s.stable() ? "" : " *";
  }

  private static String range(LatencyStats s) {
    return String.format(Locale.ROOT, "%.3f-%.3f ms", s.p10Ms(), s.p90Ms());
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, v < 1 ? "%.3f ms" : "%.2f ms", v);
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  private static String bytes(long b) {
    return String.format(Locale.ROOT, "%,d B", b);
  }

  private static String ratio(double a, double b) {
    return b <= 0 ? "" : String.format(Locale.ROOT, "%.2fx", a / b);
  }

  /** "4.00x smaller than" for a ratio of 4, "5.26x larger than" for 0.19 (a tiny model's .tflite outweighs it). */
  static String smallerOrLarger(double timesSmaller) {
    return timesSmaller >= 1 || timesSmaller <= 0 || !Double.isFinite(timesSmaller)
        ? String.format(Locale.ROOT, "%.2fx smaller than", timesSmaller)
        : String.format(Locale.ROOT, "%.2fx larger than", 1 / timesSmaller);
  }
}
