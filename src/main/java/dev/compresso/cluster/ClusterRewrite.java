package dev.compresso.cluster;

import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.model.ImportedModel;
import dev.compresso.prune.PrunableOps;
import dev.compresso.prune.PrunableWeight;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.DataType;

/**
 * Puts clustered kernels into a trainable graph as rewrites, as tfmot's {@code ClusterWeights} wrapper
 * computes its kernel: for kernel {@code W} a trainable {@code VariableV2} {@code W/cluster_centroids}
 * (flat, {@code groups * k}), a constant int32 {@code W/cluster_indices} of {@code W}'s shape, and {@code
 * W/clustered = GatherV2(W/cluster_centroids/read, W/cluster_indices, 0)} (times a constant 0/1 {@code
 * W/cluster_mask} when zeros are held), which every consumer of {@code W} then reads. GatherV2's gradient
 * sums the gradients of all elements of a cluster into its centroid; the indices never change. {@code W}
 * itself is left in the graph unread and must not train.
 */
public final class ClusterRewrite {

  public static final String CENTROIDS_SUFFIX = "/cluster_centroids";

  private ClusterRewrite() {}

  /** The centroid variable of kernel {@code variable}. */
  public static String centroidsOf(String variable) {
    return variable + CENTROIDS_SUFFIX;
  }

  /** {@code model} with every kernel of {@code clusters} read as a gather of its centroids. */
  public static ImportedModel insert(ImportedModel model, List<PrunableWeight> weights,
      Map<String, KernelClusters> clusters) {
    Map<String, ImportedModel.VariableValue> variables = new LinkedHashMap<>(model.variables());
    List<Rewrite> out = new ArrayList<>();
    out.add(new Rewrite.AddNode(Nodes.intConstant("cluster_shared/axis0", new int[] {0}, new long[0])));
    for (PrunableWeight w : weights) {
      KernelClusters c = clusters.get(w.variable());
      String v = centroidsOf(w.variable());
      long[] flat = {c.centroids().length};
      variables.put(v, new ImportedModel.VariableValue(flat, c.centroids().clone()));
      out.add(new Rewrite.AddNode(Nodes.variable(v, flat)));
      out.add(new Rewrite.AddNode(Nodes.identity(ImportedModel.readOf(v), v)));
      String indices = w.variable() + "/cluster_indices";
      out.add(new Rewrite.AddNode(Nodes.intConstant(indices, c.indices(), c.shape())));
      String kernel = w.variable() + "/clustered";
      out.add(new Rewrite.AddNode(Nodes.gather(kernel, ImportedModel.readOf(v), indices, "cluster_shared/axis0",
          DataType.DT_FLOAT, DataType.DT_INT32, 0)));
      if (c.mask() != null) {
        out.add(new Rewrite.AddNode(Nodes.constant(w.variable() + "/cluster_mask", c.mask(), c.shape())));
        out.add(new Rewrite.AddNode(Nodes.mul(kernel + "_masked", kernel, w.variable() + "/cluster_mask")));
        kernel = kernel + "_masked";
      }
      int input = PrunableOps.find(w.op()).weightInput();
      for (String consumer : w.consumers()) {
        out.add(new Rewrite.SetInput(consumer, input, kernel));
      }
    }
    return model.with(GraphRewriter.apply(model.graph(), out), variables);
  }
}
