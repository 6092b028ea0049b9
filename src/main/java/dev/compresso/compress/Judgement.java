package dev.compresso.compress;

import com.google.gson.JsonObject;
import java.nio.file.Path;

/**
 * One candidate as the search judged it: its recipe, where its file is, what it measured on the held-out
 * samples, and the verdict with its reason.
 *
 * @param round the round folder that ran it ({@code r2-prune})
 * @param cell the sweep cell in that round ({@code s0.75-k16})
 * @param recipe how it was made
 * @param file the {@code .tflite}
 * @param quality metric and loss on the held-out samples
 * @param lost quality lost against the source (the budget's quantity; NaN: a broken model)
 * @param rawBytes the {@code .tflite} size
 * @param gzipBytes its gzip -9 size
 * @param latencyMs median latency at one thread, as {@code validate} measures it
 * @param edgeTpuOpShare share of operators on the Edge TPU (NaN for float models)
 * @param edgeTpuVerdict the Edge TPU check's verdict ({@code ""} for float models)
 * @param verdict the judgement
 * @param reason why, in words ({@code over budget by 0.0031 (metric drop 0.0081 > 0.005)})
 */
public record Judgement(String round, String cell, Recipe recipe, Path file, Budget.Quality quality, double lost,
    long rawBytes, long gzipBytes, double latencyMs, double edgeTpuOpShare, String edgeTpuVerdict, Verdict verdict,
    String reason) {

  /** What the search made of a candidate. */
  public enum Verdict {
    /** Within budget, accepted by the target, and best on the objective: the output. */
    WINNER,
    /** Within budget and accepted, but beaten on the objective by the winner. */
    BEATEN,
    /** Lost more quality than the budget allows. */
    OVER_BUDGET,
    /** The target cannot run it (an op not on the Edge TPU, a float model for the Edge TPU). */
    TARGET_REFUSED
  }

  /** Whether the candidate is within budget and accepted by the target. */
  public boolean admissible() {
    return verdict == Verdict.WINNER || verdict == Verdict.BEATEN;
  }

  Judgement with(Verdict v, String why) {
    return new Judgement(round, cell, recipe, file, quality, lost, rawBytes, gzipBytes, latencyMs, edgeTpuOpShare,
        edgeTpuVerdict, v, why);
  }

  JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("round", round);
    o.addProperty("cell", cell);
    o.addProperty("recipe", recipe.describe());
    o.addProperty("file", file.toString());
    o.addProperty(quality.metricName(), quality.metric());
    o.addProperty(quality.lossName(), quality.loss());
    o.addProperty("lost", lost);
    o.addProperty("tflite_bytes", rawBytes);
    o.addProperty("tflite_gzip9_bytes", gzipBytes);
    o.addProperty("latency_ms_1thread", latencyMs);
    o.addProperty("edgetpu_op_share", edgeTpuOpShare);
    o.addProperty("edgetpu", edgeTpuVerdict);
    o.addProperty("verdict", verdict.name().toLowerCase());
    o.addProperty("reason", reason);
    return o;
  }
}
