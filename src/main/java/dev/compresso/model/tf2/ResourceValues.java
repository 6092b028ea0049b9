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
import dev.compresso.model.VariableConstants;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

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

  /**
   * Restored values.
   *
   * @param floats float32 variables' values by name, in the order captured
   * @param constants every other (numeric) variable as a {@code Const} node of its value, by name
   */
  record Restored(Map<String, ImportedModel.VariableValue> floats, Map<String, NodeDef> constants) {}

  /** Values of {@code variables}: float32 ones as values, numeric ones as constants. */
  static Restored read(Path dir, String tag, List<FunctionInliner.Captured> variables) {
    Map<String, ImportedModel.VariableValue> values = new LinkedHashMap<>();
    Map<String, NodeDef> constants = new LinkedHashMap<>();
    if (variables.isEmpty()) {
      return new Restored(values, constants);
    }
    try (SavedModelBundle bundle = SavedModels.load(dir, tag)) {
      Graph graph = bundle.graph();
      Ops tf = Ops.create(graph).withSubScope(SCOPE);
      Session.Runner runner = bundle.session().runner();
      for (FunctionInliner.Captured v : variables) {
        GraphOperation handle = graph.operation(v.handle());
        runner.fetch(tf.readVariableOp(handle.output(0), VariableConstants.tensorClass(v.dtype())));
      }
      try (Result r = runner.run()) {
        for (int i = 0; i < variables.size(); i++) {
          String name = variables.get(i).name();
          if (variables.get(i).dtype() == DataType.DT_FLOAT) {
            values.put(name, new ImportedModel.VariableValue(r.get(i).shape().asArray(), Tensors.read(r.get(i))));
          } else {
            constants.put(name, VariableConstants.constant(name, r.get(i)));
          }
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
    return new Restored(values, constants);
  }

  private static String oneLine(String message) {
    if (message == null) {
      return "no detail";
    }
    return message.strip().lines().findFirst().orElse("no detail");
  }
}
