package dev.compresso.model.keras;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one table from Keras layer class to its handler. {@code InputLayer} and the model classes ({@code
 * Sequential}, {@code Functional}, {@code Model}) are not handlers: the importer builds them (placeholders, nested
 * calls). A class registered twice is a programming error, refused when the table is built.
 */
final class KerasLayers {

  /** Classes the importer builds itself. */
  static final Set<String> STRUCTURAL = Set.of("InputLayer", "Sequential", "Functional", "Model");

  private static final Map<String, LayerHandler> TABLE = build();

  private KerasLayers() {}

  private static Map<String, LayerHandler> build() {
    Map<String, LayerHandler> t = new LinkedHashMap<>();
    add(t, "Dense", CoreLayers.DENSE);
    add(t, "Activation", CoreLayers.ACTIVATION);
    add(t, "ReLU", CoreLayers.RELU);
    add(t, "LeakyReLU", CoreLayers.LEAKY_RELU);
    add(t, "ELU", CoreLayers.ELU);
    add(t, "Softmax", CoreLayers.SOFTMAX);
    add(t, "Rescaling", CoreLayers.RESCALING);
    for (String identity : new String[] {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
        "GaussianNoise", "GaussianDropout", "AlphaDropout"}) {
      add(t, identity, CoreLayers.IDENTITY);
    }
    add(t, "Conv1D", ConvLayers.CONV1D);
    add(t, "Conv2D", ConvLayers.CONV2D);
    add(t, "Conv2DTranspose", ConvLayers.CONV2D_TRANSPOSE);
    add(t, "DepthwiseConv2D", ConvLayers.DEPTHWISE_CONV2D);
    add(t, "SeparableConv2D", ConvLayers.SEPARABLE_CONV2D);
    add(t, "BatchNormalization", NormalizationLayers.BATCH_NORMALIZATION);
    add(t, "LayerNormalization", NormalizationLayers.LAYER_NORMALIZATION);
    add(t, "Normalization", NormalizationLayers.NORMALIZATION);
    add(t, "MaxPooling1D", PoolingLayers.MAX_POOLING_1D);
    add(t, "MaxPooling2D", PoolingLayers.MAX_POOLING_2D);
    add(t, "AveragePooling1D", PoolingLayers.AVERAGE_POOLING_1D);
    add(t, "AveragePooling2D", PoolingLayers.AVERAGE_POOLING_2D);
    add(t, "GlobalAveragePooling1D", PoolingLayers.GLOBAL_AVERAGE_POOLING_1D);
    add(t, "GlobalAveragePooling2D", PoolingLayers.GLOBAL_AVERAGE_POOLING_2D);
    add(t, "GlobalMaxPooling1D", PoolingLayers.GLOBAL_MAX_POOLING_1D);
    add(t, "GlobalMaxPooling2D", PoolingLayers.GLOBAL_MAX_POOLING_2D);
    add(t, "UpSampling2D", ReshapingLayers.UP_SAMPLING_2D);
    add(t, "ZeroPadding1D", ReshapingLayers.ZERO_PADDING_1D);
    add(t, "ZeroPadding2D", ReshapingLayers.ZERO_PADDING_2D);
    add(t, "Cropping2D", ReshapingLayers.CROPPING_2D);
    add(t, "Flatten", ReshapingLayers.FLATTEN);
    add(t, "Reshape", ReshapingLayers.RESHAPE);
    add(t, "Permute", ReshapingLayers.PERMUTE);
    add(t, "Concatenate", MergeLayers.CONCATENATE);
    add(t, "Add", MergeLayers.ADD);
    add(t, "Subtract", MergeLayers.SUBTRACT);
    add(t, "Multiply", MergeLayers.MULTIPLY);
    add(t, "Average", MergeLayers.AVERAGE);
    add(t, "Maximum", MergeLayers.MAXIMUM);
    add(t, "Minimum", MergeLayers.MINIMUM);
    add(t, "PReLU", CoreLayers.PRELU);
    add(t, "Identity", CoreLayers.IDENTITY);
    add(t, "UpSampling1D", ReshapingLayers.UP_SAMPLING_1D);
    add(t, "Cropping1D", ReshapingLayers.CROPPING_1D);
    add(t, "Resizing", PreprocessingLayers.RESIZING);
    add(t, "CenterCrop", PreprocessingLayers.CENTER_CROP);
    for (String augmentation : PreprocessingLayers.AUGMENTATIONS) {
      add(t, augmentation, CoreLayers.IDENTITY);
    }
    add(t, "LayerScale", ApplicationLayers.LAYER_SCALE);
    add(t, "CustomScaleLayer", ApplicationLayers.CUSTOM_SCALE_LAYER);
    return Collections.unmodifiableMap(t);
  }

  static void add(Map<String, LayerHandler> table, String className, LayerHandler handler) {
    if (STRUCTURAL.contains(className) || table.putIfAbsent(className, handler) != null) {
      throw new IllegalStateException("Keras layer class registered twice: " + className);
    }
  }

  /** The handler of {@code className}, or null when it is not supported. */
  static LayerHandler handler(String className) {
    return TABLE.get(className);
  }

  /** Every supported class: the table's and the structural ones, sorted. */
  static Set<String> supported() {
    Set<String> s = new TreeSet<>(TABLE.keySet());
    s.addAll(STRUCTURAL);
    return s;
  }

  static Set<String> handled() {
    return Collections.unmodifiableSet(TABLE.keySet());
  }
}
