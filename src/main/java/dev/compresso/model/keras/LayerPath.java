package dev.compresso.model.keras;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a layer sits in a (possibly nested) Keras model.
 *
 * @param names the layer names from the top model's layer down to this one ({@code [block, conv]})
 * @param keys the same path in a {@code .keras} weights file: Keras names each layer of a model's layer list
 *     by its class name in snake case, numbered from the second of a kind ({@code conv2d}, {@code conv2d_1})
 */
public record LayerPath(List<String> names, List<String> keys) {

  public LayerPath {
    names = List.copyOf(names);
    keys = List.copyOf(keys);
  }

  static LayerPath root() {
    return new LayerPath(List.of(), List.of());
  }

  LayerPath child(String name, String key) {
    List<String> n = new ArrayList<>(names);
    n.add(name);
    List<String> k = new ArrayList<>(keys);
    k.add(key);
    return new LayerPath(n, k);
  }

  String leaf() {
    return names.get(names.size() - 1);
  }

  @Override
  public String toString() {
    return String.join("/", names);
  }
}
