package dev.compresso.graph;

import org.tensorflow.proto.NodeDef;

/**
 * One edit of a GraphDef, produced by a stage (pruning, quantization, calibration) and applied by
 * {@link GraphRewriter}, the only code that edits NodeDefs.
 */
public sealed interface Rewrite permits Rewrite.AddNode, Rewrite.SetInput, Rewrite.RemoveNode, Rewrite.ReplaceNode {

  /** Adds a node; its name must be new. */
  record AddNode(NodeDef node) implements Rewrite {}

  /** Makes input {@code position} of {@code node} read {@code input} instead. */
  record SetInput(String node, int position, String input) implements Rewrite {}

  /** Removes a node; nothing may still read it once all rewrites are applied. */
  record RemoveNode(String node) implements Rewrite {}

  /** Replaces a node by another of the same name (e.g. a variable by a constant). */
  record ReplaceNode(NodeDef node) implements Rewrite {}
}
