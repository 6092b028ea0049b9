/**
 * GraphDef plumbing: {@link dev.compresso.graph.GraphIndex} (nodes, uses, ancestors), {@link
 * dev.compresso.graph.Rewrite} commands and the {@link dev.compresso.graph.GraphRewriter} that applies
 * them, and {@link dev.compresso.graph.Nodes} factories. This is the only package that edits NodeDefs:
 * pruning, quantization and calibration produce rewrites; they never touch a NodeDef themselves.
 */
package dev.compresso.graph;
