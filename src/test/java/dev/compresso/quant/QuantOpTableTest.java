package dev.compresso.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuantOpTableTest {

  @Test
  void coversTheOpsItClaims() {
    QuantOpTable t = QuantOpTable.defaults();
    assertEquals(Set.of("Conv2D", "DepthwiseConv2dNative", "Conv2DBackpropInput", "MatMul"),
        Set.copyOf(t.opTypes(OpRole.WEIGHTED)));
    for (String op : List.of("MaxPool", "AvgPool", "ResizeBilinear", "ResizeNearestNeighbor", "Reshape")) {
      assertEquals(OpRole.SAME_SCALE, t.rule(op).orElseThrow().role(), op);
    }
    for (String op : List.of("ConcatV2", "AddV2", "Add", "Mul")) {
      assertEquals(OpRole.OWN_RANGE, t.rule(op).orElseThrow().role(), op);
    }
    assertEquals(OpRole.FIXED_RANGE, t.rule("Sigmoid").orElseThrow().role());
    assertEquals(OpRole.FIXED_RANGE, t.rule("Softmax").orElseThrow().role());
    assertTrue(t.rule("MaxPoolV2").isEmpty(), "the converter rejects MaxPoolV2; it must be reported");
  }

  @Test
  void weightAxesFollowTheTfKernelLayouts() {
    QuantOpTable t = QuantOpTable.defaults();
    assertEquals(WeightQuant.perChannel(1, 3), t.rule("Conv2D").orElseThrow().weight());
    assertEquals(new WeightQuant(1, 2, 3), t.rule("DepthwiseConv2dNative").orElseThrow().weight());
    assertEquals(WeightQuant.perChannel(1, 2), t.rule("Conv2DBackpropInput").orElseThrow().weight());
    assertEquals(2, t.rule("Conv2DBackpropInput").orElseThrow().dataInput());
    assertEquals(WeightQuant.perTensor(1), t.rule("MatMul").orElseThrow().weight());
  }

  @Test
  void rejectsDuplicateRules() {
    assertThrows(IllegalArgumentException.class, () -> new QuantOpTable(List.of(
        OpRule.of("Relu", OpRole.ACTIVATION), OpRule.of("Relu", OpRole.OWN_RANGE))));
  }
}
