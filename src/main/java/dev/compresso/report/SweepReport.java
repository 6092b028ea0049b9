package dev.compresso.report;

import com.google.gson.GsonBuilder;
import dev.compresso.CompressoException;
import dev.compresso.bench.SweepConfig;
import dev.compresso.bench.SweepRow;
import dev.compresso.io.AtomicOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes a sweep's results: {@code results.csv}, {@code results.json}, {@code report.md} with the table,
 * and PNG plots (size vs sparsity per precision, loss vs compressed size, latency per precision).
 */
public final class SweepReport {

  public static final String CSV = "results.csv";
  public static final String JSON = "results.json";
  public static final String MARKDOWN = "report.md";

  private SweepReport() {}

  /** Writes every file into {@code config.out()} and returns the markdown. */
  public static String write(SweepConfig config, List<SweepRow> rows) {
    Path out = config.out();
    AtomicOutput.writeFile(out.resolve(CSV), csv(rows));
    AtomicOutput.writeFile(out.resolve(JSON), new GsonBuilder().setPrettyPrinting()
        .serializeSpecialFloatingPointValues().create().toJson(rows));
    List<String> plots = plots(out, rows);
    String md = markdown(config, rows, plots);
    AtomicOutput.writeFile(out.resolve(MARKDOWN), md);
    return md;
  }

  static String csv(List<SweepRow> rows) {
    StringBuilder sb = new StringBuilder("sparsity,achieved_sparsity,precision,tflite_bytes,gzip_bytes,"
        + "tflite_peak_rss_bytes,reference_peak_rss_bytes,latency_ms_1t,latency_ms_nt,threads,reference_latency_ms_1t,"
        + "loss_name,loss,reference_loss,metric_name,metric,max_abs_error,reference_variables_bytes\n");
    for (SweepRow r : rows) {
      sb.append(String.format(Locale.ROOT, "%.2f,%.4f,%s,%d,%d,%d,%d,%.3f,%.3f,%d,%.3f,%s,%.6f,%.6f,%s,%.6f,%.6g,%d%n",
          r.sparsity(), r.achievedSparsity(), r.precision(), r.tfliteBytes(), r.gzipBytes(), r.tflitePeakRssBytes(),
          r.referencePeakRssBytes(), r.latencyMs1(), r.latencyMsT(), r.threads(), r.referenceLatencyMs1(),
          r.lossName(), r.loss(), r.referenceLoss(), r.metricName(), r.metric(), r.maxAbsError(),
          r.referenceVariablesBytes()));
    }
    return sb.toString();
  }

  /** The plain table printed on stdout and put in the report. */
  public static String table(List<SweepRow> rows) {
    StringBuilder sb = new StringBuilder();
    String loss = rows.isEmpty() ? "loss" : rows.get(0).lossName();
    String metric = rows.isEmpty() ? "metric" : rows.get(0).metricName();
    int threads = rows.isEmpty() ? 2 : rows.get(0).threads();
    sb.append(String.format("| sparsity | precision | .tflite bytes | gzip bytes | peak RSS MB | TF Java RSS MB "
        + "| latency ms (1t) | latency ms (%dt) | TF Java ms (1t) | %s | %s |%n", threads, loss, metric));
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (SweepRow r : rows) {
      sb.append(String.format(Locale.ROOT, "| %.2f (%.3f) | %s | %,d | %,d | %.1f | %.1f | %.2f | %.2f | %.2f | %.4f | %.4f |%n",
          r.sparsity(), r.achievedSparsity(), r.precision(), r.tfliteBytes(), r.gzipBytes(),
          r.tflitePeakRssBytes() / 1048576.0, r.referencePeakRssBytes() / 1048576.0, r.latencyMs1(), r.latencyMsT(),
          r.referenceLatencyMs1(), r.loss(), r.metric()));
    }
    return sb.toString();
  }

  private static String markdown(SweepConfig c, List<SweepRow> rows, List<String> plots) {
    StringBuilder sb = new StringBuilder("# Compresso sweep\n\n");
    sb.append(String.format("Model `%s`; fine-tuning data `%s`, %d epochs, batch %d, learning rate %s; validated on "
        + "%d samples of `%s`; latency median of %d runs after %d warm-up, batch 1; peak RSS (VmHWM) of a process "
        + "that loads the model and runs it, 1 thread.%n%n", c.model(), c.data(), c.epochs(), c.batch(),
        c.learningRate(), c.samples(), c.testData(), c.runs(), c.warmup()));
    sb.append("Sparsity is the target, with the achieved share of zero parameters in brackets. TF Java columns "
        + "measure the cell's SavedModel (pruned, float) in TF Java.\n\n");
    sb.append(table(rows)).append('\n');
    for (String p : plots) {
      sb.append(String.format("![%s](%s)%n%n", p.replace(".png", "").replace('_', ' '), p));
    }
    sb.append(String.format("Files: `%s`, `%s`; per cell: `s<sparsity>/` holds the pruned SavedModel, each "
        + ".tflite and its `validate.json`.%n", CSV, JSON));
    return sb.toString();
  }

  private static List<String> plots(Path out, List<SweepRow> rows) {
    Map<String, List<SweepRow>> byPrecision = new LinkedHashMap<>();
    for (SweepRow r : rows) {
      byPrecision.computeIfAbsent(r.precision(), k -> new ArrayList<>()).add(r);
    }
    List<String> files = new ArrayList<>();
    if (rows.isEmpty()) {
      return files;
    }
    XYChart size = new XYChartBuilder().width(800).height(500).title("Compressed size vs sparsity")
        .xAxisTitle("target sparsity").yAxisTitle(".tflite gzip -9 size (KB)").build();
    XYChart loss = new XYChartBuilder().width(800).height(500).title("Loss vs compressed size")
        .xAxisTitle(".tflite gzip -9 size (KB)").yAxisTitle(rows.get(0).lossName()).build();
    CategoryChart latency = new CategoryChartBuilder().width(800).height(500).title("Latency per precision (1 thread)")
        .xAxisTitle("target sparsity").yAxisTitle("median latency (ms)").build();
    for (Map.Entry<String, List<SweepRow>> e : byPrecision.entrySet()) {
      List<Double> s = e.getValue().stream().map(SweepRow::sparsity).toList();
      List<Double> kb = e.getValue().stream().map(r -> r.gzipBytes() / 1024.0).toList();
      size.addSeries(e.getKey(), s, kb).setMarker(SeriesMarkers.CIRCLE);
      XYSeries l = loss.addSeries(e.getKey(), kb, e.getValue().stream().map(SweepRow::loss).toList());
      l.setMarker(SeriesMarkers.CIRCLE);
      latency.addSeries(e.getKey(), s.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList(),
          e.getValue().stream().map(SweepRow::latencyMs1).toList());
    }
    save(size, out, "size_vs_sparsity.png", files);
    save(loss, out, "loss_vs_size.png", files);
    save(latency, out, "latency.png", files);
    return files;
  }

  private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path out, String name,
      List<String> files) {
    try {
      AtomicOutput.writeFile(out.resolve(name), BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
      files.add(name);
    } catch (IOException e) {
      throw CompressoException.internal("cannot draw plot " + name + ": " + e.getMessage(), e);
    }
  }
}
