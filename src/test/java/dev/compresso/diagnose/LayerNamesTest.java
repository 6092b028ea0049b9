package dev.compresso.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Short tensor names: call wrappers dropped, the fewest trailing components that tell tensors apart. */
class LayerNamesTest {

  @Test
  void keepsTheShortestUniqueLayerPath() {
    String p = "StatefulPartitionedCall_1/StatefulPartitionedCall/cnn_classifier_1/";
    List<String> names = List.of(p + "dw_relu_1/Relu;" + p + "dw_1/BiasAdd;" + p + "dw_1/depthwise",
        p + "sep1_relu_1/Relu;" + p + "sep1_1/separable_conv2d", p + "enc/block_1/Relu", p + "dec/block_1/Relu",
        "serving_default_image/act_quant", "x", "x");
    assertEquals(List.of("dw_relu_1/Relu", "sep1_relu_1/Relu", "enc/block_1/Relu", "dec/block_1/Relu",
        "serving_default_image/act_quant", "x#5", "x#6"), LayerNames.of(names, List.of(0, 1, 2, 3, 4, 5, 6)));
  }

  @Test
  void aLayerKeyDropsKerasCallSuffixes() {
    assertEquals(List.of("dw_relu/Relu", "m/dw_relu/Relu"),
        TensorMatch.layerKeys("StatefulPartitionedCall_1/StatefulPartitionedCall/m_1/dw_relu_1/Relu"));
    assertEquals(List.of("dw_relu/Relu"), TensorMatch.layerKeys("dw_relu/Relu"));
    assertEquals(List.of(), TensorMatch.layerKeys("x"));
  }
}
