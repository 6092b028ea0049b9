package dev.compresso.diagnose;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Short names for TFLite tensors: the shortest unique layer path. The converter names a tensor after the
 * TF nodes fused into it ({@code a;b;c}) and a TF2 or Keras export prefixes every node with its call
 * wrappers ({@code StatefulPartitionedCall_1/StatefulPartitionedCall/model_1/dw_relu_1/Relu}), so that
 * cut to a fixed width every name of a model reads the same. Here the first node of a tensor name stands
 * for it; the wrappers ({@code StatefulPartitionedCall}, {@code PartitionedCall}, with any {@code _N}) are
 * dropped; and of what is left, the fewest trailing components that no other tensor of the model shares
 * are kept, at least the layer and its op ({@code dw_relu_1/Relu}). Names that stay equal get {@code #index}.
 */
final class LayerNames {

  private LayerNames() {}

  /** The short name of each tensor name, in order. */
  static List<String> of(List<String> names, List<Integer> indices) {
    List<String[]> paths = new ArrayList<>();
    for (String n : names) {
      paths.add(path(n));
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      String[] p = paths.get(i);
      String pick = String.join("/", p);
      for (int k = Math.min(2, p.length); k <= p.length; k++) {
        String candidate = suffix(p, k);
        if (unique(candidate, i, paths, k)) {
          pick = candidate;
          break;
        }
      }
      out.add(pick);
    }
    Map<String, Integer> count = new HashMap<>();
    out.forEach(s -> count.merge(s, 1, Integer::sum));
    for (int i = 0; i < out.size(); i++) {
      if (count.get(out.get(i)) > 1) {
        out.set(i, out.get(i) + "#" + indices.get(i));
      }
    }
    return out;
  }

  private static boolean unique(String candidate, int self, List<String[]> paths, int k) {
    for (int j = 0; j < paths.size(); j++) {
      if (j != self && suffix(paths.get(j), Math.min(k, paths.get(j).length)).equals(candidate)) {
        return false;
      }
    }
    return true;
  }

  private static String suffix(String[] p, int k) {
    return String.join("/", Arrays.copyOfRange(p, p.length - k, p.length));
  }

  /** The components of a tensor name's first node, call wrappers dropped. */
  static String[] path(String tensorName) {
    String first = tensorName.split(";")[0];
    List<String> parts = new ArrayList<>();
    for (String c : first.split("/")) {
      if (!c.matches("(Stateful)?PartitionedCall(_\\d+)?") && !c.isEmpty()) {
        parts.add(c);
      }
    }
    return parts.isEmpty() ? new String[] {first} : parts.toArray(new String[0]);
  }
}
