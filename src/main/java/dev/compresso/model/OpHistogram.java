package dev.compresso.model;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/** How often each op type occurs, sorted by op name. */
final class OpHistogram {

  private OpHistogram() {}

  /** Op types of the main graph's nodes, excluding the function library. */
  static SortedMap<String, Integer> mainGraph(GraphDef graph) {
    SortedMap<String, Integer> counts = new TreeMap<>();
    for (NodeDef n : graph.getNodeList()) {
      counts.merge(n.getOp(), 1, Integer::sum);
    }
    return Collections.unmodifiableSortedMap(counts);
  }

  /** Op types of the nodes in all function bodies of the graph's {@code FunctionDefLibrary}. */
  static SortedMap<String, Integer> functionLibrary(GraphDef graph) {
    SortedMap<String, Integer> counts = new TreeMap<>();
    for (FunctionDef f : graph.getLibrary().getFunctionList()) {
      for (NodeDef n : f.getNodeDefList()) {
        counts.merge(n.getOp(), 1, Integer::sum);
      }
    }
    return Collections.unmodifiableSortedMap(counts);
  }

  static int total(SortedMap<String, Integer> histogram) {
    return histogram.values().stream().mapToInt(Integer::intValue).sum();
  }
}
