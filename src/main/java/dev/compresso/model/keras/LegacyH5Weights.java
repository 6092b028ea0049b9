package dev.compresso.model.keras;

import dev.compresso.BadInputException;
import dev.compresso.model.ImportedModel;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The weights of a Keras 2-layout HDF5 full model: group {@code model_weights/<top-level layer>} lists its
 * datasets in attribute {@code weight_names} ({@code conv/kernel:0} in Keras 2, {@code conv/kernel} in Keras 3's
 * legacy writer; {@code block/conv/kernel} for a layer of nested model {@code block}), each a path under the
 * group. A weight is found by name: the entry whose last components are the layer's name and the weight's role
 * ({@code :0} dropped), the one matching most of the layer's path when several do; a layer whose names match
 * nothing but that stores exactly as many weights as it needs takes them in order (Keras' own loader matches by
 * order).
 */
final class LegacyH5Weights implements KerasWeights {

  private final Path file;
  private final Group modelWeights;

  LegacyH5Weights(Path file, Group modelWeights) {
    this.file = file;
    this.modelWeights = modelWeights;
  }

  @Override
  public List<ImportedModel.VariableValue> read(LayerPath layer, List<WeightSpec> specs) {
    return KerasFile.hdf(file, () -> {
      String top = layer.names().get(0);
      if (!(modelWeights.getChild(top) instanceof Group group)) {
        throw new BadInputException(file + ": model_weights has no group for layer " + top + " (layer " + layer
            + " needs " + specs.stream().map(WeightSpec::role).toList() + ")");
      }
      List<String> names = weightNames(group);
      List<ImportedModel.VariableValue> out = new ArrayList<>();
      List<String> unmatched = new ArrayList<>();
      for (WeightSpec spec : specs) {
        String name = find(names, layer, spec);
        if (name == null) {
          unmatched.add(spec.role());
          out.add(null);
        } else {
          out.add(StoredArrays.read(file, dataset(group, name, layer), layer, spec));
        }
      }
      if (!unmatched.isEmpty()) {
        if (layer.names().size() == 1 && names.size() == specs.size()) {
          List<WeightSpec> stored = new ArrayList<>();
          specs.stream().filter(WeightSpec::trainable).forEach(stored::add);
          specs.stream().filter(s -> !s.trainable()).forEach(stored::add);
          ImportedModel.VariableValue[] values = new ImportedModel.VariableValue[specs.size()];
          for (int i = 0; i < stored.size(); i++) {
            values[specs.indexOf(stored.get(i))] = StoredArrays.read(file, dataset(group, names.get(i), layer), layer,
                stored.get(i));
          }
          return List.of(values);
        }
        throw new BadInputException(String.format("%s: layer %s: no stored weight %s in %s (weight_names: %s)", file,
            layer, unmatched, group.getPath(), names));
      }
      return out;
    });
  }

  private Dataset dataset(Group group, String name, LayerPath layer) {
    Node n = group.getByPath(name);
    if (!(n instanceof Dataset d)) {
      throw new BadInputException(file + ": " + group.getPath() + "/" + name + " (listed in weight_names of layer "
          + layer + ") is not a dataset");
    }
    return d;
  }

  private String find(List<String> names, LayerPath layer, WeightSpec spec) {
    String best = null;
    int bestScore = -1;
    boolean tie = false;
    for (String name : names) {
      List<String> parts = new ArrayList<>(Arrays.asList(name.split("/")));
      String last = parts.remove(parts.size() - 1);
      if (last.endsWith(":0")) {
        last = last.substring(0, last.length() - 2);
      }
      if (!spec.answersTo(last) || parts.isEmpty() || !parts.get(parts.size() - 1).equals(layer.leaf())) {
        continue;
      }
      int score = 0;
      for (int i = parts.size() - 1, j = layer.names().size() - 1; i >= 0 && j >= 0; i--, j--) {
        if (!parts.get(i).equals(layer.names().get(j))) {
          break;
        }
        score++;
      }
      if (score > bestScore) {
        best = name;
        bestScore = score;
        tie = false;
      } else if (score == bestScore) {
        tie = true;
      }
    }
    if (tie) {
      throw new BadInputException(String.format("%s: layer %s: weight '%s' is ambiguous among weight_names %s", file,
          layer, spec.role(), names));
    }
    return best;
  }

  private List<String> weightNames(Group group) {
    Attribute a = group.getAttribute("weight_names");
    if (a == null) {
      throw new BadInputException(file + ": " + group.getPath() + " has no weight_names attribute");
    }
    Object d = a.isEmpty() ? null : a.getData();
    if (d == null || d instanceof double[] || d instanceof float[]) {
      return List.of(); // h5py writes an empty list as an empty float64 array
    }
    if (d instanceof String[] s) {
      return List.of(s);
    }
    if (d instanceof String s) {
      return List.of(s);
    }
    throw new BadInputException(file + ": weight_names of " + group.getPath() + " is not a list of strings");
  }

  @Override
  public void close() {
    modelWeights.getHdfFile().close();
  }
}
