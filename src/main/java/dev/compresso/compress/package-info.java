/**
 * {@code compresso compress}: the smallest (or fastest) model within the user's quality budget, found by
 * a search whose candidates are sweep cells (DESIGN.md, "compress is a search whose candidates are sweep
 * cells"; STYLE.md, "A search is data about candidates").
 *
 * <p>A candidate is a {@link dev.compresso.compress.Recipe}: an immutable record of how to make one
 * {@code .tflite} (sparsity and granularity, clusters, QAT, precision, I/O type, PTQ methods, keep-float nodes) plus the
 * fingerprints of the model and data it was made from. {@link dev.compresso.compress.CompressSearch} orders
 * recipes cheapest first (post-training conversions and, on the CPU, keep-float sets of the most harmful
 * layers {@code diagnose} finds ({@link dev.compresso.compress.KeepFloatCandidates}); then a bracket search for the
 * largest sparsity within the budget, 2:4 and shrinking channel pruning, then clustering and QAT stacked on
 * the best pruned model), runs each round of them as a
 * {@link dev.compresso.sweep.Sweep} folder (so {@code --workers}, the locks, resumption after a kill and the
 * Slurm/Kubernetes paths are the sweep's own), and judges every candidate
 * ({@link dev.compresso.compress.Judgement}) on held-out samples no round trains or calibrates on, against
 * a {@link dev.compresso.compress.Budget} relative to the source model on the same samples, under what
 * the {@link dev.compresso.compress.Target} accepts. The search keeps no state of its own: a rerun reads
 * the finished rounds back and takes the same decisions, which is how it resumes.
 *
 * <p>The budget follows Intel Neural Compressor's accuracy-driven tuning (a relative or absolute loss of
 * the metric against the FP32 baseline) and NNCF's quantize-with-accuracy-control ({@code max_drop});
 * the sparsity bracket is a bisection on the monotone-in-expectation quality-vs-sparsity curve of Zhu &amp;
 * Gupta, "To prune, or not to prune" (2017).
 */
package dev.compresso.compress;
