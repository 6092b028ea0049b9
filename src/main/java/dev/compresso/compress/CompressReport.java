package dev.compresso.compress;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.compresso.CompressoException;
import dev.compresso.io.AtomicOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes what a search found into its folder, each file atomically: {@code model.tflite} (the winner),
 * {@code recipe.json} (its recipe, which {@code compresso compress --recipe} replays), {@code
 * candidates.json} (every judgement), {@code report.md} (the candidates table, one line per rejected
 * candidate saying why, the plot) and {@code size_vs_metric.png} (or {@code latency_vs_metric.png}): every
 * candidate, the Pareto front of the admissible ones and the budget line.
 */
public final class CompressReport {

  public static final String MODEL = "model.tflite";
  public static final String RECIPE = "recipe.json";
  public static final String CANDIDATES = "candidates.json";
  public static final String MARKDOWN = "report.md";

  private CompressReport() {}

  /** Writes the outputs of {@code o}; returns the one-line summary. */
  public static String write(CompressSearch.Outcome o) {
    Path out = o.config().out();
    if (o.winner() != null) {
      try {
        AtomicOutput.writeFile(out.resolve(MODEL), Files.readAllBytes(o.winner().file()));
      } catch (IOException e) {
        throw CompressoException.internal("cannot copy the winner " + o.winner().file() + ": " + e.getMessage(), e);
      }
      AtomicOutput.writeFile(out.resolve(RECIPE), o.winner().recipe().toJsonText());
    }
    JsonObject all = new JsonObject();
    all.addProperty("summary", summary(o));
    JsonArray c = new JsonArray();
    o.candidates().forEach(j -> c.add(j.toJson()));
    all.add("candidates", c);
    AtomicOutput.writeFile(out.resolve(CANDIDATES), new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
        .serializeSpecialFloatingPointValues().create().toJson(all) + "\n");
    String plot = plot(o);
    AtomicOutput.writeFile(out.resolve(MARKDOWN), markdown(o, plot));
    return summary(o);
  }

  /** One line: the winner and its numbers, or the gap, or why the target is out of reach. */
  public static String summary(CompressSearch.Outcome o) {
    Budget.Quality s = o.source();
    if (o.impossible() != null) {
      return "compress: the target " + o.config().target().cliName() + " cannot run this model: " + o.impossible();
    }
    String time = o.stoppedByTime() ? " (stopped by --time-budget)" : "";
    if (o.winner() == null) {
      if (o.closest() == null) {
        return "compress: no candidate within budget and none the target takes" + time;
      }
      Judgement j = o.closest();
      return String.format(Locale.ROOT, "compress: no candidate within budget (%s)%s; the closest, %s, lost %s: "
          + "%s more than the budget allows", o.config().budget().describe(), time, j.recipe().describe(),
          Budget.round(j.lost()), Budget.round(j.lost() - o.config().budget().amount()));
    }
    Judgement w = o.winner();
    // A replayed recipe is the output whether or not it is within budget: say when it is not.
    String verdict = w.verdict() == Judgement.Verdict.WINNER ? "" : "; " + w.reason();
    return String.format(Locale.ROOT, "compress: %s: %s %.4f (source %.4f), gzip %,d bytes, %,d raw, %.3f ms%s%s%s",
        w.recipe().describe(), s.metricName(), w.quality().metric(), s.metric(), w.gzipBytes(), w.rawBytes(),
        w.latencyMs(), o.config().target() == Target.EDGETPU ? ", " + w.edgeTpuVerdict() : "", time, verdict);
  }

  static String markdown(CompressSearch.Outcome o, String plot) {
    CompressConfig c = o.config();
    Budget.Quality s = o.source();
    StringBuilder b = new StringBuilder("# compresso compress\n\n");
    b.append(String.format(Locale.ROOT, "Model `%s`, target **%s**, budget **%s**, objective %s; judged on at most "
        + "%d held-out samples (`--samples`; never trained or calibrated on). Source model there: %s **%.6f**, %s %.6f. "
        + "%d candidates in %d s.%n%n", c.model(), c.target().cliName(), c.budget().describe(), c.objective().cliName(),
        c.samples(),
        s.metricName(), s.metric(), s.lossName(), s.loss(), o.candidates().size(), o.elapsed().toSeconds()));
    b.append("**").append(summary(o)).append("**\n\n");
    b.append("| # | round | recipe | ").append(s.metricName()).append(" | ").append(s.lossName())
        .append(" | lost | .tflite bytes | gzip bytes | ms (1 thread) | Edge TPU ops | verdict |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    int i = 1;
    for (Judgement j : o.candidates()) {
      b.append(String.format(Locale.ROOT, "| %d | %s | %s | %.4f | %.4f | %.4f | %,d | %,d | %.3f | %s | %s |%n", i++,
          j.round(), j.recipe().describe(), j.quality().metric(), j.quality().loss(), j.lost(), j.rawBytes(),
          j.gzipBytes(), j.latencyMs(), Double.isNaN(j.edgeTpuOpShare()) || c.target() != Target.EDGETPU ? "-"
              : String.format(Locale.ROOT, "%.0f%%", j.edgeTpuOpShare() * 100), j.verdict().name().toLowerCase()));
    }
    if (o.candidates().stream().anyMatch(j -> j.verdict() != Judgement.Verdict.WINNER)) {
      b.append("\n## Why each candidate lost\n\n");
    }
    for (Judgement j : o.candidates()) {
      if (j.verdict() != Judgement.Verdict.WINNER) {
        b.append("- ").append(j.recipe().describe()).append(" (").append(j.round()).append('/').append(j.cell())
            .append("): ").append(j.reason()).append('\n');
      }
    }
    if (!o.notes().isEmpty()) {
      b.append("\n## Notes\n\n");
      o.notes().forEach(n -> b.append("- ").append(n).append('\n'));
    }
    if (plot != null) {
      b.append("\n![").append(plot).append("](").append(plot).append(")\n");
    }
    b.append("\nEvery round is a sweep folder under `search/`; `").append(RECIPE)
        .append("` replays the winner: `compresso compress MODEL --data DATA --recipe ").append(RECIPE)
        .append(" --out DIR`.\n");
    return b.toString();
  }

  /** Draws the candidates (size or latency vs metric), the Pareto front of the admissible ones and the budget. */
  private static String plot(CompressSearch.Outcome o) {
    if (o.candidates().isEmpty()) {
      return null;
    }
    boolean size = o.config().objective() == Objective.SIZE;
    Budget.Quality s = o.source();
    String name = size ? "size_vs_metric.png" : "latency_vs_metric.png";
    XYChart chart = new XYChartBuilder().width(800).height(500)
        .title("compress: candidates, Pareto front and budget").xAxisTitle(size ? ".tflite gzip -9 size (KB)"
            : "median latency, 1 thread (ms)")
        .yAxisTitle(o.config().budget().kind() == Budget.Kind.METRIC_DROP ? s.metricName() : s.lossName()).build();
    boolean metric = o.config().budget().kind() == Budget.Kind.METRIC_DROP;
    for (Judgement.Verdict v : Judgement.Verdict.values()) {
      List<Judgement> js = o.candidates().stream().filter(j -> j.verdict() == v && !Double.isNaN(y(j, metric))).toList();
      if (!js.isEmpty()) {
        chart.addSeries(v.name().toLowerCase().replace('_', ' '), js.stream().map(j -> x(j, size)).toList(),
            js.stream().map(j -> y(j, metric)).toList()).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      }
    }
    List<Judgement> front = pareto(o.candidates().stream().filter(Judgement::admissible).toList(), size, metric,
        metric && s.higherIsBetter());
    if (front.size() > 1) {
      chart.addSeries("Pareto front", front.stream().map(j -> x(j, size)).toList(),
          front.stream().map(j -> y(j, metric)).toList()).setMarker(SeriesMarkers.NONE);
    }
    double xs = o.candidates().stream().mapToDouble(j -> x(j, size)).max().orElse(1);
    double amount = o.config().budget().amount();
    double line = metric ? (s.higherIsBetter() ? s.metric() - amount : s.metric() + amount) : s.loss() + amount;
    chart.addSeries("budget", List.of(0.0, xs), List.of(line, line)).setMarker(SeriesMarkers.NONE);
    try {
      AtomicOutput.writeFile(o.config().out().resolve(name),
          BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    } catch (IOException e) {
      throw CompressoException.internal("cannot draw " + name + ": " + e.getMessage(), e);
    }
    return name;
  }

  private static double x(Judgement j, boolean size) {
    return size ? j.gzipBytes() / 1024.0 : j.latencyMs();
  }

  private static double y(Judgement j, boolean metric) {
    return metric ? j.quality().metric() : j.quality().loss();
  }

  /**
   * The candidates no other beats on both axes (smaller x and better y), by x ascending; {@code higherBetter}
   * is the y axis' direction (a metric's; false for a loss).
   */
  static List<Judgement> pareto(List<Judgement> js, boolean size, boolean metric, boolean higherBetter) {
    List<Judgement> sorted = new ArrayList<>(js);
    sorted.sort(Comparator.comparingDouble(j -> x(j, size)));
    List<Judgement> front = new ArrayList<>();
    double best = Double.NaN;
    for (Judgement j : sorted) {
      double y = y(j, metric);
      boolean better = Double.isNaN(best) || (higherBetter ? y > best : y < best);
      if (better) {
        front.add(j);
        best = y;
      }
    }
    return front;
  }
}
