package dev.compresso.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/** MaxPoolV2 with constant window and strides becomes MaxPool with the same values as attributes. */
class MaxPoolV2RewriteTest {

  private static NodeDef ints(String name, int... values) {
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_INT32)
        .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(values.length)));
    for (int v : values) {
      t.addIntVal(v);
    }
    return NodeDef.newBuilder().setName(name).setOp("Const")
        .putAttr("value", AttrValue.newBuilder().setTensor(t).build()).build();
  }

  private static NodeDef pool(String ksize, String strides) {
    return NodeDef.newBuilder().setName("pool").setOp("MaxPoolV2").addInput("x").addInput(ksize)
        .addInput(strides + ":0").addInput("^init")
        .putAttr("padding", AttrValue.newBuilder().setS(com.google.protobuf.ByteString.copyFromUtf8("VALID")).build())
        .putAttr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build()).build();
  }

  @Test
  void constantWindowAndStridesBecomeAttributes() {
    NodeDef out = MaxPoolV2Rewrite.apply(pool("k", "s"),
        Map.of("k", ints("k", 1, 3, 3, 1), "s", ints("s", 1, 2, 2, 1))::get);
    assertEquals("MaxPool", out.getOp());
    assertEquals(List.of("x", "^init"), out.getInputList());
    assertEquals(List.of(1L, 3L, 3L, 1L), out.getAttrOrThrow("ksize").getList().getIList());
    assertEquals(List.of(1L, 2L, 2L, 1L), out.getAttrOrThrow("strides").getList().getIList());
    assertEquals("VALID", out.getAttrOrThrow("padding").getS().toStringUtf8());
    assertEquals(DataType.DT_FLOAT, out.getAttrOrThrow("T").getType());
  }

  @Test
  void aComputedWindowIsLeftAlone() {
    NodeDef computed = NodeDef.newBuilder().setName("k").setOp("Pack").build();
    NodeDef in = pool("k", "s");
    assertSame(in, MaxPoolV2Rewrite.apply(in, Map.of("k", computed, "s", ints("s", 1, 2, 2, 1))::get));
    assertSame(in, MaxPoolV2Rewrite.apply(in, Map.of("k", ints("k", 2, 2), "s", ints("s", 1, 2, 2, 1))::get));
  }
}
