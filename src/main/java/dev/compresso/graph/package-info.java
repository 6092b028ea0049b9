/**
 * GraphDef plumbing: {@link dev.compresso.graph.GraphIndex} (nodes, uses, ancestors; the one
 * graph index, with a tolerant mode for describing damaged graphs), {@link
 * dev.compresso.graph.Rewrite} commands and the {@link dev.compresso.graph.GraphRewriter} that applies
 * them, {@link dev.compresso.graph.Nodes} factories, and rewrites every stage shares ({@link
 * dev.compresso.graph.MaxPoolV2Rewrite}, {@link dev.compresso.graph.NearestUpsamplingRewrite}). This is the only package that edits NodeDefs:
 * pruning, quantization and calibration produce rewrites; they never touch a NodeDef themselves.
 */
package dev.compresso.graph;
