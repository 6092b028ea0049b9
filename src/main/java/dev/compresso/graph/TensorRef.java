package dev.compresso.graph;

/**
 * A GraphDef input reference: {@code node}, {@code node:1} or the control input {@code ^node}. (Function
 * bodies use {@code node:out_arg:index} instead; those are mapped before they reach a GraphDef.)
 *
 * @param node the producing node's name
 * @param index the output index (0 for control inputs)
 * @param control whether this is a control dependency
 */
public record TensorRef(String node, int index, boolean control) {

  /** Parses a GraphDef input string. */
  public static TensorRef parse(String input) {
    if (input.startsWith("^")) {
      return new TensorRef(input.substring(1), 0, true);
    }
    int colon = input.lastIndexOf(':');
    if (colon > 0) {
      String suffix = input.substring(colon + 1);
      if (!suffix.isEmpty() && suffix.chars().allMatch(Character::isDigit)) {
        return new TensorRef(input.substring(0, colon), Integer.parseInt(suffix), false);
      }
    }
    return new TensorRef(input, 0, false);
  }

  /** The data output {@code node:index}. */
  public static TensorRef of(String node, int index) {
    return new TensorRef(node, index, false);
  }

  /** The GraphDef spelling: {@code node} for output 0, {@code node:i}, or {@code ^node}. */
  @Override
  public String toString() {
    if (control) {
      return "^" + node;
    }
    return index == 0 ? node : node + ":" + index;
  }

  /** The TF tensor name {@code node:index}, as signatures write it. */
  public String tensorName() {
    return node + ":" + index;
  }
}
