package dev.compresso.model.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The layer table covers issue 13's list, refuses duplicates, and Keras' weights-file keys are computed as Keras does. */
class KerasLayersTest {

  static final List<String> ISSUE_LAYERS = List.of("InputLayer", "Dense", "Conv1D", "Conv2D", "Conv2DTranspose",
      "DepthwiseConv2D", "SeparableConv2D", "BatchNormalization", "LayerNormalization", "Activation", "ReLU",
      "LeakyReLU", "ELU", "Softmax", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
      "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "UpSampling2D",
      "ZeroPadding1D", "ZeroPadding2D", "Cropping2D", "Concatenate", "Add", "Subtract", "Multiply", "Average",
      "Maximum", "Flatten", "Reshape", "Permute", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise",
      "Rescaling", "Sequential", "Functional");

  static final List<String> ISSUE_ACTIVATIONS = List.of("relu", "relu6", "sigmoid", "tanh", "softmax", "swish",
      "silu", "gelu", "hard_sigmoid", "hard_swish", "elu", "selu", "linear");

  @Test
  void tableCoversTheIssuesLayersAndActivations() {
    List<String> missing = ISSUE_LAYERS.stream().filter(c -> !KerasLayers.supported().contains(c)).toList();
    assertEquals(List.of(), missing);
    List<String> missingActivations = ISSUE_ACTIVATIONS.stream().filter(a -> !Activations.supports(a)).toList();
    assertEquals(List.of(), missingActivations);
    assertTrue(KerasLayers.handler("LSTM") == null, "LSTM is not built");
  }

  @Test
  void duplicatesAndStructuralClassesAreRefused() {
    Map<String, LayerHandler> t = new HashMap<>();
    KerasLayers.add(t, "Dense", CoreLayers.DENSE);
    assertThrows(IllegalStateException.class, () -> KerasLayers.add(t, "Dense", CoreLayers.DENSE));
    assertThrows(IllegalStateException.class, () -> KerasLayers.add(t, "InputLayer", CoreLayers.IDENTITY));
  }

  @Test
  void weightFileKeysFollowKerasSnakeCase() {
    assertEquals("conv2d_transpose", KerasImporter.snakeCase("Conv2DTranspose"));
    assertEquals("batch_normalization", KerasImporter.snakeCase("BatchNormalization"));
    assertEquals("re_lu", KerasImporter.snakeCase("ReLU"));
    assertEquals("up_sampling2d", KerasImporter.snakeCase("UpSampling2D"));
    assertEquals("global_average_pooling1d", KerasImporter.snakeCase("GlobalAveragePooling1D"));
    assertEquals(new TreeSet<>(List.of("conv2d", "conv2d_1", "dense", "input_layer")),
        new TreeSet<>(KerasImporter.keys(KerasModelConfig.parse(java.nio.file.Path.of("x"),
            com.google.gson.JsonParser.parseString("""
                {"class_name": "Functional", "config": {"name": "m", "layers": [
                  {"class_name": "InputLayer", "name": "in", "config": {"batch_shape": [null, 4]}, "inbound_nodes": []},
                  {"class_name": "Conv2D", "name": "a", "config": {}, "inbound_nodes": []},
                  {"class_name": "Conv2D", "name": "b", "config": {}, "inbound_nodes": []},
                  {"class_name": "Dense", "name": "c", "config": {}, "inbound_nodes": []}],
                  "input_layers": ["in", 0, 0], "output_layers": ["c", 0, 0]}}""").getAsJsonObject())).values()));
  }
}
