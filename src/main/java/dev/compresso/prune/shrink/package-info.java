/**
 * Physical channel removal after channel pruning: {@link dev.compresso.prune.shrink.Shrinker} finds
 * output filters whose weights (and output) are zero, follows each producer's channels forward through
 * the ops in {@link dev.compresso.prune.shrink.ShrinkOps} (bias, activations, pooling, channel concat)
 * to the ops that consume them as input channels (Conv2D, transposed conv, MatMul), and slices every
 * variable on the way, plus the channel entry of a transposed conv's {@code output_shape} constant. The
 * edits are {@link dev.compresso.graph.Rewrite}s applied by {@link dev.compresso.graph.GraphRewriter}.
 *
 * <p>Not here: choosing which filters to zero (the masks in {@code dev.compresso.prune}), fine-tuning,
 * writing the model out.
 */
package dev.compresso.prune.shrink;
