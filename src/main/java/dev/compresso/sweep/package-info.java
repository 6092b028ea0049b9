/**
 * The sweep as a folder of independent cells, so the seed article's experiment runs on one machine or on
 * a batch cluster without a scheduler of Compresso's own.
 *
 * <p>{@link dev.compresso.sweep.SweepPlan} writes the grid ({@code plan.json}: the configuration and
 * its cells) into the sweep folder. A cell ({@link dev.compresso.sweep.Cell}) is the baseline (the
 * source model measured as it is) or one compression recipe (a sparsity; 0 is the dense model) with
 * every precision variant ({@link dev.compresso.sweep.Variant}: a precision, its I/O type and, for calibrated
 * ones, the post-training methods run before the converter) converted and validated from it.
 * {@link dev.compresso.sweep.CellRunner} runs a cell's steps through the library (prune, QAT, convert,
 * validate, Edge TPU check), each step's output written atomically and skipped when it exists, the
 * cell's {@code cell.json} last. {@link dev.compresso.sweep.Worker} claims cells with {@link
 * dev.compresso.sweep.CellLocks} (a lock folder created atomically per attempt, a heartbeat, a lease),
 * on any host that sees the folder; Slurm job arrays and Kubernetes Indexed Jobs start workers
 * ({@code deploy/}), and {@link dev.compresso.sweep.Sweep} starts N on one machine. {@link
 * dev.compresso.sweep.SweepResults} merges what has finished, and {@link
 * dev.compresso.sweep.ArticleClaims} sets the article's claims next to the measured rows.
 *
 * <p>Not here: measuring a model ({@code bench}), writing tables and plots ({@code report}), the
 * command line ({@code cli}).
 */
package dev.compresso.sweep;
