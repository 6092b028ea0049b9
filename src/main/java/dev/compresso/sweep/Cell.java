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
 */
public record Cell(int index, String id, Kind kind, double sparsity) {

  /** What a cell measures. */
  public enum Kind {
    /** The unpruned source model, served by TF Java as the user has it. */
    BASELINE,
    /** A compression recipe and every precision converted from it. */
    MODEL
  }

  /** The baseline cell at {@code index}. */
  public static Cell baseline(int index) {
    return new Cell(index, "baseline", Kind.BASELINE, 0);
  }

  /** The model cell for {@code sparsity} at {@code index}. */
  public static Cell model(int index, double sparsity) {
    return new Cell(index, String.format(Locale.ROOT, "s%.2f", sparsity), Kind.MODEL, sparsity);
  }

  public boolean isBaseline() {
    return kind == Kind.BASELINE;
  }
}
