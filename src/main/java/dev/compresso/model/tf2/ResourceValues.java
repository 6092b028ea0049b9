package dev.compresso.model.tf2;

import dev.compresso.BadInputException;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.SavedModels;
import dev.compresso.train.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Reads the restored values of captured resource variables: the SavedModel is loaded with TF Java
 * (whose loader runs the SavedModel's restore function, so sharded checkpoints and Keras' object-based
 * checkpoint keys are TensorFlow's business), a {@code ReadVariableOp} is added on each handle, and all
 * are fetched in one run.
 */
final class ResourceValues {

  /** Name scope of the reads added to the loaded graph (TF Java makes the names unique). */
  private static final String SCOPE = "compresso_import";

  private ResourceValues() {}

  /** Values by variable name, in the order of {@code variables}. */
  static Map<String, ImportedModel.VariableValue> read(Path dir, String tag, List<FunctionInliner.Captured> variables) {
    Map<String, ImportedModel.VariableValue> values = new LinkedHashMap<>();
    if (variables.isEmpty()) {
      return values;
    }
    try (SavedModelBundle bundle = SavedModels.load(dir, tag)) {
      Graph graph = bundle.graph();
      Ops tf = Ops.create(graph).withSubScope(SCOPE);
      Session.Runner runner = bundle.session().runner();
      for (FunctionInliner.Captured v : variables) {
        GraphOperation handle = graph.operation(v.handle());
        runner.fetch(tf.readVariableOp(handle.output(0), TFloat32.class));
      }
      try (Result r = runner.run()) {
        for (int i = 0; i < variables.size(); i++) {
          values.put(variables.get(i).name(),
              new ImportedModel.VariableValue(r.get(i).shape().asArray(), Tensors.read(r.get(i))));
        }
      } catch (RuntimeException e) {
        if (!dev.compresso.model.TfErrors.isTensorFlow(e)) {
          throw e;
        }
        List<String> names = variables.stream().map(FunctionInliner.Captured::name).toList();
        throw new BadInputException(String.format("%s: could not read the values of its %d variables (%s) from "
            + "its checkpoint: %s", dir, names.size(), names.size() > 8 ? names.subList(0, 8) + " and "
            + (names.size() - 8) + " more" : names, oneLine(e.getMessage())), e);
      }
    }
    return values;
  }

  private static String oneLine(String message) {
    if (message == null) {
      return "no detail";
    }
    return message.strip().lines().findFirst().orElse("no detail");
  }
}
