package dev.compresso.prune;

import com.google.gson.GsonBuilder;
import java.util.List;

/**
 * What a pruning run did and measured; written as {@code prune-report.json} next to the pruned model and
 * printed as a table.
 *
 * @param source the input SavedModel
 * @param schedule the schedule as run
 * @param granularity the granularity's spelling
 * @param global whether one threshold covered every pruned weight
 * @param layers the pruned weights
 * @param skipped candidate weights left dense, with reasons
 * @param warnings things the user should know (ignore patterns that matched nothing, ...)
 * @param prunedParameters elements of the pruned weights
 * @param prunedZeros zeros among them in the output
 * @param totalParameters every variable's elements
 * @param totalZeros zeros among them in the output
 * @param loss the loss's name
 * @param lossBefore test loss of the input model
 * @param lossAfter test loss of the output model
 * @param metric the metric's name
 * @param metricBefore test metric of the input model
 * @param metricAfter test metric of the output model
 * @param testData the held-out data's description
 * @param epochs per-epoch training record
 * @param steps optimizer steps taken
 * @param shrink what {@code --shrink} removed (null without it)
 * @param judgement the headline metric before and after on held-out data, the epoch kept, any warning
 */
public record PruneReport(String source, String schedule, String granularity, boolean global, List<Layer> layers,
    List<PrunableWeights.Skipped> skipped, List<String> warnings, long prunedParameters, long prunedZeros,
    long totalParameters, long totalZeros, String loss, double lossBefore, double lossAfter, String metric,
    double metricBefore, double metricAfter, String testData, List<Epoch> epochs, long steps,
    Shrink shrink, dev.compresso.train.Judgement judgement) {

  /**
   * The physical removal of pruned channels ({@link dev.compresso.prune.shrink.Shrinker}).
   *
   * @param parametersBefore every variable's elements before the shrink
   * @param parametersAfter and after
   * @param lossAfter test loss of the shrunk model
   * @param metricAfter test metric of the shrunk model
   * @param layers producers that lost channels
   * @param skipped producers with dead channels left whole, and why
   */
  public record Shrink(long parametersBefore, long parametersAfter, double lossAfter, double metricAfter,
      List<dev.compresso.prune.shrink.Shrinker.Layer> layers, List<dev.compresso.prune.shrink.Shrinker.Skipped> skipped) {

    public double ratio() {
      return parametersBefore == 0 ? 1 : (double) parametersAfter / parametersBefore;
    }
  }

  /** This report with the shrink's record. */
  public PruneReport withShrink(Shrink s) {
    return new PruneReport(source, schedule, granularity, global, layers, skipped, warnings, prunedParameters,
        prunedZeros, totalParameters, totalZeros, loss, lossBefore, lossAfter, metric, metricBefore, metricAfter,
        testData, epochs, steps, s, judgement);
  }

  /** One pruned weight: its size, the target and the zeros it has in the output. */
  public record Layer(String variable, String op, long[] shape, long parameters, double targetSparsity,
      double achievedSparsity) {}

  /** One epoch of fine-tuning; {@code validationMetric} is the task's headline metric on the validation data. */
  public record Epoch(int epoch, double trainLoss, double validationLoss, double seconds, int steps,
      double sparsityAtEnd, double validationMetric) {}

  public double prunedSparsity() {
    return prunedParameters == 0 ? 0 : (double) prunedZeros / prunedParameters;
  }

  public double overallSparsity() {
    return totalParameters == 0 ? 0 : (double) totalZeros / totalParameters;
  }

  public String toJson() {
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(this);
  }

  /** A plain-text table for stdout. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-36s %-22s %-18s %10s %8s %8s%n", "weight", "op", "shape", "params", "target",
        "achieved"));
    for (Layer l : layers) {
      sb.append(String.format("%-36s %-22s %-18s %,10d %8.3f %8.3f%n", l.variable(), l.op(),
          java.util.Arrays.toString(l.shape()).replace(" ", ""), l.parameters(), l.targetSparsity(),
          l.achievedSparsity()));
    }
    for (PrunableWeights.Skipped s : skipped) {
      sb.append(String.format("%-36s %-22s %-18s %,10d %8s %8s  (skipped: %s)%n", s.variable(), s.op(), "",
          s.parameters(), "-", "-", s.reason()));
    }
    sb.append(String.format("pruned weights: %,d of %,d zero (%.3f); whole model: %,d of %,d zero (%.3f)%n",
        prunedZeros, prunedParameters, prunedSparsity(), totalZeros, totalParameters, overallSparsity()));
    sb.append(String.format("schedule: %s; granularity %s%s; %d steps%n", schedule, granularity,
        global ? " (global)" : " (per layer)", steps));
    for (Epoch e : epochs) {
      // the epochs hold the fine-tuning loss (a distillation loss when distilling), not the test line's loss
      sb.append(String.format("epoch %d: fine-tuning loss train %.4f, validation %.4f, %s %.4f, sparsity %.3f, %.1f s%n",
          e.epoch(), e.trainLoss(), e.validationLoss(), metric, e.validationMetric(), e.sparsityAtEnd(), e.seconds()));
    }
    sb.append(String.format("test (%s): %s %.4f -> %.4f, %s %.4f -> %.4f%n", testData, loss, lossBefore, lossAfter,
        metric, metricBefore, metricAfter));
    if (judgement != null) {
      sb.append(judgement.line()).append('\n');
    }
    if (shrink != null) {
      for (dev.compresso.prune.shrink.Shrinker.Layer l : shrink.layers()) {
        sb.append(String.format("shrunk %-30s %-20s %4d -> %4d channels%n", l.node(), l.op(), l.channelsBefore(),
            l.channelsAfter()));
      }
      for (dev.compresso.prune.shrink.Shrinker.Skipped k : shrink.skipped()) {
        sb.append(String.format("not shrunk %s (%d dead channels): %s%n", k.node(), k.deadChannels(), k.reason()));
      }
      sb.append(String.format("shrink: parameters %,d -> %,d (%.3fx); test %s %.4f, %s %.4f%n",
          shrink.parametersBefore(), shrink.parametersAfter(), shrink.ratio(), loss, shrink.lossAfter(), metric,
          shrink.metricAfter()));
    }
    for (String w : warnings) {
      sb.append("warning: ").append(w).append('\n');
    }
    return sb.toString();
  }
}
