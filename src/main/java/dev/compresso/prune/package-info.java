/**
 * Magnitude pruning with masks: which ops' weights are prunable ({@link dev.compresso.prune.PrunableOps},
 * one table), which weights of a model to prune ({@link dev.compresso.prune.PrunableWeights}), schedules
 * as tfmot defines them ({@link dev.compresso.prune.ConstantSparsity}, {@link
 * dev.compresso.prune.PolynomialDecay}), granularities and the mask criterion ({@link
 * dev.compresso.prune.Granularity}, {@link dev.compresso.prune.MaskCalculator}), the mask-inserting
 * rewrite ({@link dev.compresso.prune.MaskRewrite}), and the stage that fine-tunes and strips
 * ({@link dev.compresso.prune.Pruner}) with its report. Under channel granularity each pruned filter's
 * bias is masked with it ({@code ChannelBiases}), so the filter outputs exactly zero and {@code
 * prune.shrink} can remove it physically ({@link dev.compresso.prune.Pruner#shrink}).
 *
 * <p>Not here: NodeDef editing (masks are expressed as {@code graph.Rewrite} commands), the training loop
 * and optimizers ({@code train}), SavedModel import/export ({@code model}), command-line parsing
 * ({@code cli}).
 */
package dev.compresso.prune;
