/**
 * Weight clustering (weight sharing), as tfmot's {@code cluster_weights} does it: every prunable kernel's
 * values are replaced by one of {@code K} centroids, per kernel or per output channel ({@link
 * dev.compresso.cluster.CentroidInit} picks the centroids: linear, k-means++ or density-based, then
 * {@link dev.compresso.cluster.KMeans1D} assigns each weight to its nearest); during fine-tuning the kernel
 * is a {@code GatherV2} of trainable centroids by fixed indices ({@link dev.compresso.cluster.ClusterRewrite}),
 * so each centroid's gradient is the sum of its weights' gradients; {@link dev.compresso.cluster.Clusterer}
 * runs the stage and strips the result back to a plain SavedModel whose kernels hold the centroid values.
 * With sparsity preserved, zeros stay exact zeros (one of the K values). {@link
 * dev.compresso.cluster.ClusteredKernels} recognizes clustered kernels again, for cluster-preserving QAT.
 *
 * <p>Not here: which ops' weights are candidates (the one table in {@code prune.PrunableOps}, selection in
 * {@code prune.PrunableWeights}), NodeDef editing ({@code graph}), the training loop ({@code train}),
 * command-line parsing ({@code cli}).
 */
package dev.compresso.cluster;
