package dev.compresso.sweep;

import java.util.Locale;

/**
 * One independent unit of a sweep: what one worker runs, under one lock, with one {@code cell.json} as
 * its result. The baseline cell measures the source model as it is (size, TF Java memory and latency,
 * loss); a model cell prunes to {@code sparsity} (0: the dense model, not pruned) and converts and
 * validates every precision variant of the plan from it.
 *
 * @param index position in the plan, 0-based: what {@code sweep --cell K} and the batch engines' array
 *     indices name
 * @param id the cell's folder name: {@code baseline} or {@code s0.50}
 * @param kind baseline or model
 * @param sparsity the target sparsity of a model cell (0 for the baseline)
 * @param granularity how a model cell prunes, as {@code prune --granularity} spells it ({@link #UNSTRUCTURED}
 *     for the baseline and the dense cell)
 * @param clusters the shared values per kernel a model cell clusters to after pruning; 0: not clustered
 */
public record Cell(int index, String id, Kind kind, double sparsity, String granularity, int clusters) {

  /** The default granularity: the cells of a sweep without a granularity axis. */
  public static final String UNSTRUCTURED = "unstructured";

  /** What a cell measures. */
  public enum Kind {
    /** The unpruned source model, served by TF Java as the user has it. */
    BASELINE,
    /** A compression recipe and every precision converted from it. */
    MODEL
  }

  /** The baseline cell at {@code index}. */
  public static Cell baseline(int index) {
    return new Cell(index, "baseline", Kind.BASELINE, 0, UNSTRUCTURED, 0);
  }

  /** The unstructured, unclustered model cell for {@code sparsity} at {@code index}. */
  public static Cell model(int index, double sparsity) {
    return model(index, sparsity, UNSTRUCTURED, 0);
  }

  /**
   * The model cell that prunes to {@code sparsity} with {@code granularity}, then clusters to {@code
   * clusters} values (0: not clustered). Its folder is {@code s0.50}, with {@code -g2_4} (the granularity,
   * ':' written '_') when not unstructured and {@code -k16} when clustered.
   */
  public static Cell model(int index, double sparsity, String granularity, int clusters) {
    String id = String.format(Locale.ROOT, "s%.2f", sparsity)
        + (granularity.equals(UNSTRUCTURED) ? "" : "-g" + granularity.replace(':', '_'))
        + (clusters > 0 ? "-k" + clusters : "");
    return new Cell(index, id, Kind.MODEL, sparsity, granularity, clusters);
  }

  public boolean isBaseline() {
    return kind == Kind.BASELINE;
  }
}
