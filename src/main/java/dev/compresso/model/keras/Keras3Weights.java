package dev.compresso.model.keras;

import dev.compresso.BadInputException;
import dev.compresso.model.ImportedModel;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The weights of a {@code .keras} archive ({@code model.weights.h5}, Keras 3's {@code H5IOStore}): layer
 * {@code conv} of nested model {@code block} sits at {@code layers/<block key>/layers/<conv key>/vars}, its
 * weights numbered {@code 0..n} in the order Keras saves them ({@code _trainable_variables} then {@code
 * _non_trainable_variables}, each in creation order). Keras 3.15 also writes the layer's name as attribute
 * {@code name} of {@code vars}; when the computed key does not match, the sibling with that name is taken.
 */
final class Keras3Weights implements KerasWeights {

  private final Path file;
  private final HdfFile h5;
  private final Path extracted;

  /** @param extracted the temporary copy of {@code model.weights.h5} that {@code h5} reads, deleted on close */
  Keras3Weights(Path file, HdfFile h5, Path extracted) {
    this.file = file;
    this.h5 = h5;
    this.extracted = extracted;
  }

  int optimizerArrays() {
    return KerasFile.hdf(file, () -> {
      Node opt = h5.getChild("optimizer");
      return opt instanceof Group g ? KerasFile.countDatasets(g) : 0;
    });
  }

  @Override
  public List<ImportedModel.VariableValue> read(LayerPath layer, List<WeightSpec> specs) {
    return KerasFile.hdf(file, () -> {
      Group vars = vars(layer);
      List<WeightSpec> stored = new ArrayList<>();
      specs.stream().filter(WeightSpec::trainable).forEach(stored::add);
      specs.stream().filter(s -> !s.trainable()).forEach(stored::add);
      int count = vars == null ? 0 : vars.getChildren().size();
      if (count < specs.size()) {
        WeightSpec missing = stored.get(count);
        throw new BadInputException(String.format("%s: layer %s: weight '%s' %s is missing from model.weights.h5 "
            + "(%s; the layer's config needs %d: %s): the config and the weights disagree", file, layer,
            missing.role(), java.util.Arrays.toString(missing.shape()), vars == null ? "no vars group for the layer"
            : vars.getPath() + " holds " + count + " array" + (count == 1 ? "" : "s"), specs.size(),
            stored.stream().map(WeightSpec::role).toList()));
      }
      if (count > specs.size()) {
        throw new BadInputException(String.format("%s: layer %s: model.weights.h5 holds %d weights at %s but the "
            + "layer's config makes %d (%s): the config and the weights disagree", file, layer, count,
            vars.getPath(), specs.size(), stored.stream().map(WeightSpec::role).toList()));
      }
      ImportedModel.VariableValue[] values = new ImportedModel.VariableValue[specs.size()];
      for (int i = 0; i < stored.size(); i++) {
        Node n = vars.getChild(Integer.toString(i));
        if (!(n instanceof Dataset d)) {
          throw new BadInputException(file + ": layer " + layer + ": weight '" + stored.get(i).role() + "' ("
              + vars.getPath() + "/" + i + ") is missing from model.weights.h5");
        }
        values[specs.indexOf(stored.get(i))] = StoredArrays.read(file, d, layer, stored.get(i));
      }
      return List.of(values);
    });
  }

  private Group vars(LayerPath layer) {
    Group g = h5;
    for (int i = 0; i < layer.names().size(); i++) {
      Group layers = g.getChild("layers") instanceof Group l ? l : null;
      if (layers == null) {
        return null;
      }
      Node byKey = layers.getChild(layer.keys().get(i));
      Group next = byKey instanceof Group k && namedOrUnnamed(k, layer.names().get(i)) ? k : null;
      if (next == null) {
        for (Node c : layers.getChildren().values()) {
          if (c instanceof Group cg && layer.names().get(i).equals(varsName(cg))) {
            next = cg;
            break;
          }
        }
      }
      if (next == null) {
        next = byKey instanceof Group k ? k : null;
      }
      if (next == null) {
        return null;
      }
      g = next;
    }
    return g.getChild("vars") instanceof Group v ? v : null;
  }

  private static boolean namedOrUnnamed(Group g, String name) {
    String n = varsName(g);
    return n == null || n.equals(name);
  }

  private static String varsName(Group g) {
    Node vars = g.getChild("vars");
    if (vars == null || vars.getAttribute("name") == null) {
      return null;
    }
    return KerasFile.stringAttribute(vars, "name");
  }

  @Override
  public void close() {
    try {
      h5.close();
    } finally {
      KerasFile.delete(extracted);
    }
  }
}
