package dev.compresso.cluster;

import com.google.gson.GsonBuilder;
import dev.compresso.prune.PrunableWeights;
import java.util.Arrays;
import java.util.List;

/**
 * What a clustering run did: per kernel the distinct values before and after (the largest count over its
 * groups), the zeros kept; the loss and metric on the test split before, right after the centroids were
 * placed, and after fine-tuning.
 */
public record ClusterReport(String source, int clusters, String init, boolean perChannel, boolean preserveSparsity,
    List<Layer> layers, List<PrunableWeights.Skipped> skipped, List<String> warnings, String loss, double lossBefore,
    double lossClustered, double lossAfter, String metric, double metricBefore, double metricAfter, String testData,
    List<Epoch> epochs, long steps, dev.compresso.train.Judgement judgement) {

  /**
   * One clustered kernel.
   *
   * @param distinctBefore distinct values of the kernel before
   * @param maxDistinctPerGroup the most distinct values of any group (kernel or channel) after
   * @param distinctAfter distinct values of the whole kernel after
   */
  public record Layer(String variable, String op, long[] shape, long parameters, int groups, int distinctBefore,
      int maxDistinctPerGroup, int distinctAfter, long zerosBefore, long zerosAfter) {}

  /** One epoch of fine-tuning. */
  public record Epoch(int epoch, double trainLoss, double validationLoss, double seconds) {}

  public String toJson() {
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(this);
  }

  /** A plain-text table for stdout. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-36s %-22s %-18s %10s %8s %8s %8s %9s%n", "weight", "op", "shape", "params", "groups",
        "before", "after", "zeros"));
    for (Layer l : layers) {
      sb.append(String.format("%-36s %-22s %-18s %,10d %8d %8d %8d %,9d%n", l.variable(), l.op(),
          Arrays.toString(l.shape()).replace(" ", ""), l.parameters(), l.groups(), l.distinctBefore(),
          l.maxDistinctPerGroup(), l.zerosAfter()));
    }
    for (PrunableWeights.Skipped s : skipped) {
      sb.append(String.format("%-36s %-22s %-18s %,10d  (skipped: %s)%n", s.variable(), s.op(), "", s.parameters(),
          s.reason()));
    }
    sb.append(String.format("%d clusters %s, init %s%s; %d steps%n", clusters, perChannel ? "per output channel"
        : "per kernel", init, preserveSparsity ? ", zeros preserved" : "", steps));
    for (Epoch e : epochs) {
      sb.append(String.format("epoch %d: fine-tuning loss train %.4f, validation %.4f, %.1f s%n", e.epoch(),
          e.trainLoss(), e.validationLoss(), e.seconds()));
    }
    sb.append(String.format("test (%s): %s %.4f -> %.4f clustered -> %.4f fine-tuned; %s %.4f -> %.4f%n", testData,
        loss, lossBefore, lossClustered, lossAfter, metric, metricBefore, metricAfter));
    if (judgement != null) {
      sb.append(judgement.line()).append('\n');
    }
    for (String w : warnings) {
      sb.append("warning: ").append(w).append('\n');
    }
    return sb.toString();
  }
}
