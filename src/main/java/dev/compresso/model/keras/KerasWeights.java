package dev.compresso.model.keras;

import dev.compresso.model.ImportedModel;
import java.util.List;

/** The weights stored in a Keras model file, found per layer. */
public interface KerasWeights extends AutoCloseable {

  /**
   * The stored values of one layer's weights, in {@code specs} order.
   *
   * @param layer where the layer sits: the layer names and weight-file keys from the top model down
   * @param specs the weights the layer creates, in creation order
   * @throws dev.compresso.BadInputException naming the file and layer when a weight is missing or has another
   *     shape
   */
  List<ImportedModel.VariableValue> read(LayerPath layer, List<WeightSpec> specs);

  @Override
  void close();
}
