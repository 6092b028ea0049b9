package dev.compresso.bench;

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
      rows.add(new String[] {"latency median, " + label, ms(t.latency().medianMs()), ms(f.latency().medianMs()),
          ratio(t.latency().medianMs(), f.latency().medianMs())});
      rows.add(new String[] {"latency p90, " + label, ms(t.latency().p90Ms()), ms(f.latency().p90Ms()), ""});
      rows.add(new String[] {"latency min, " + label, ms(t.latency().minMs()), ms(f.latency().minMs()), ""});
    }
    rows.add(new String[] {"peak RSS (VmHWM), 1 thread", mb(r.tflitePeakRssBytes()), mb(r.referencePeakRssBytes()),
        ratio(r.tflitePeakRssBytes(), r.referencePeakRssBytes())});
    rows.add(new String[] {"size on disk", bytes(r.sizes().tfliteBytes()), bytes(r.sizes().reference().total()),
        ratio(r.sizes().tfliteBytes(), r.sizes().reference().total())});
    rows.add(new String[] {"  gzip -9 / variables", bytes(r.sizes().tfliteGzipBytes()),
        bytes(r.sizes().reference().variables()), ratio(r.sizes().tfliteBytes(), r.sizes().reference().variables())});
    rows.add(new String[] {"QUANTIZE/DEQUANTIZE inside", Integer.toString(r.quantBoundaries()), "", ""});

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
    sb.append("  sizes: .tflite raw and gzip -9 (no zstd -19: no pure-Java compressor for it); reference: whole "
        + "SavedModel directory and variables/\n");
    return sb.toString();
  }

  private static String num(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, "%.2f ms", v);
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
}
