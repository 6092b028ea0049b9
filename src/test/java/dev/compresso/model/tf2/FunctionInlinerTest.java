package dev.compresso.model.tf2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.compresso.BadInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/** Hand-built TF2 graphs for what the Keras fixtures do not contain. */
class FunctionInlinerTest {

  @Test
  void everyUnflattenableNodeIsListedInOneMessage() {
    FunctionDef body = FunctionDef.newBuilder()
        .setSignature(OpDef.newBuilder().setName("body")
            .addInputArg(arg("x", DataType.DT_FLOAT)).addInputArg(arg("h", DataType.DT_RESOURCE))
            .addOutputArg(arg("y", DataType.DT_FLOAT)))
        .addNodeDef(node("r", "ReadVariableOp", "h").putAttr("dtype", type(DataType.DT_FLOAT)))
        .addNodeDef(node("add", "AddV2", "x", "r:value:0").putAttr("T", type(DataType.DT_FLOAT)))
        .addNodeDef(node("c", "Const").putAttr("dtype", type(DataType.DT_BOOL)))
        .addNodeDef(node("cond", "StatelessIf", "c:output:0", "add:z:0")
            .putAttr("Tcond", type(DataType.DT_BOOL)).putAttr("Tin", types(DataType.DT_FLOAT))
            .putAttr("Tout", types(DataType.DT_FLOAT)).putAttr("then_branch", func("then"))
            .putAttr("else_branch", func("else")))
        .addNodeDef(node("str", "AsString", "cond:output:0").putAttr("T", type(DataType.DT_FLOAT)))
        .addNodeDef(node("table", "HashTableV2").putAttr("key_dtype", type(DataType.DT_STRING))
            .putAttr("value_dtype", type(DataType.DT_FLOAT)))
        .addNodeDef(node("find", "LookupTableFindV2", "table:table_handle:0", "str:output:0", "add:z:0")
            .putAttr("Tin", type(DataType.DT_STRING)).putAttr("Tout", type(DataType.DT_FLOAT)))
        .addNodeDef(node("shp", "VariableShape", "h").putAttr("out_type", type(DataType.DT_INT32)))
        .addNodeDef(node("out", "AddN", "find:values:0", "shp:output:0", "cond:output:0", "^r")
            .putAttr("N", AttrValue.newBuilder().setI(3).build()).putAttr("T", type(DataType.DT_FLOAT)))
        .putRet("y", "out:sum:0")
        .build();
    GraphDef graph = GraphDef.newBuilder()
        .addNode(node("x", "Placeholder").putAttr("dtype", type(DataType.DT_FLOAT)))
        .addNode(node("v", "VarHandleOp").putAttr("dtype", type(DataType.DT_FLOAT))
            .putAttr("shared_name", AttrValue.newBuilder().setS(ByteString.copyFromUtf8("v")).build()))
        .addNode(node("call", "StatefulPartitionedCall", "x", "v").putAttr("f", func("body"))
            .putAttr("Tin", types(DataType.DT_FLOAT, DataType.DT_RESOURCE)).putAttr("Tout", types(DataType.DT_FLOAT)))
        .setLibrary(FunctionDefLibrary.newBuilder().addFunction(body))
        .build();
    SignatureDef sig = SignatureDef.newBuilder()
        .putInputs("x", TensorInfo.newBuilder().setName("x:0").setDtype(DataType.DT_FLOAT)
            .setTensorShape(TensorShapeProto.newBuilder().setUnknownRank(true)).build())
        .putOutputs("y", TensorInfo.newBuilder().setName("call:0").setDtype(DataType.DT_FLOAT).build())
        .build();
    MetaGraphDef meta = MetaGraphDef.newBuilder().setGraphDef(graph).putSignatureDef("serving_default", sig).build();

    assertTrue(Tf2Importer.isTf2(meta, sig));
    BadInputException e = assertThrows(BadInputException.class,
        () -> Tf2Importer.read(Path.of("hand-built"), "serve", meta, "serving_default"));
    String m = e.getMessage();
    for (String expected : List.of("x (signature input 'x'): unknown rank", "call/cond (StatelessIf): control flow",
        "call/str (AsString): has string tensors", "call/table (HashTableV2): lookup tables",
        "call/find (LookupTableFindV2): lookup tables", "call/shp (VariableShape): writes or inspects",
        "6 nodes")) {
      assertTrue(m.contains(expected), "missing '" + expected + "' in: " + m);
    }
    assertTrue(m.startsWith("hand-built: signature 'serving_default' cannot be flattened"), m);
  }

  @Test
  void resourcesPassThroughIdentitiesAndNestedCallsAndOutputArgsMapToFlatIndices() {
    // inner(a, h) returns (read(h), a * read(h)); outer returns inner's second output.
    FunctionDef inner = FunctionDef.newBuilder()
        .setSignature(OpDef.newBuilder().setName("inner")
            .addInputArg(arg("a", DataType.DT_FLOAT)).addInputArg(arg("h", DataType.DT_RESOURCE))
            .addOutputArg(arg("w", DataType.DT_FLOAT)).addOutputArg(arg("p", DataType.DT_FLOAT)))
        .addNodeDef(node("hid", "Identity", "h").putAttr("T", type(DataType.DT_RESOURCE)))
        .addNodeDef(node("r", "ReadVariableOp", "hid:output:0").putAttr("dtype", type(DataType.DT_FLOAT)))
        .addNodeDef(node("split", "Unpack", "a").putAttr("num", AttrValue.newBuilder().setI(2).build())
            .putAttr("T", type(DataType.DT_FLOAT)))
        .addNodeDef(node("mul", "Mul", "split:output:1", "r:value:0").putAttr("T", type(DataType.DT_FLOAT)))
        .putRet("w", "r:value:0").putRet("p", "mul:z:0")
        .build();
    FunctionDef outer = FunctionDef.newBuilder()
        .setSignature(OpDef.newBuilder().setName("outer")
            .addInputArg(arg("a", DataType.DT_FLOAT)).addInputArg(arg("h", DataType.DT_RESOURCE))
            .addOutputArg(arg("y", DataType.DT_FLOAT)))
        .addNodeDef(node("call", "inner", "a", "h"))
        .addNodeDef(node("idn", "IdentityN", "call:p:0", "a").putAttr("T", types(DataType.DT_FLOAT, DataType.DT_FLOAT)))
        .putRet("y", "idn:output:0")
        .build();
    GraphDef graph = GraphDef.newBuilder()
        .addNode(node("a", "Placeholder").putAttr("dtype", type(DataType.DT_FLOAT)))
        .addNode(node("v", "VarHandleOp").putAttr("dtype", type(DataType.DT_FLOAT))
            .putAttr("shared_name", AttrValue.newBuilder().setS(ByteString.copyFromUtf8("layer/kernel")).build()))
        .addNode(node("top", "PartitionedCall", "a", "v").putAttr("f", func("outer")))
        .setLibrary(FunctionDefLibrary.newBuilder().addFunction(inner).addFunction(outer))
        .build();
    FunctionInliner.Result r = FunctionInliner.flatten(graph, Map.of(), "top:0");
    assertEquals(List.of(), r.problems());
    assertEquals("top/idn", r.output());
    assertEquals(List.of(new FunctionInliner.Captured("layer/kernel", "v", DataType.DT_FLOAT)), r.variables());
    Map<String, NodeDef> nodes = new java.util.HashMap<>();
    r.nodes().forEach(n -> nodes.put(n.getName(), n));
    assertEquals(List.of("top/call/split:1", "layer/kernel/read"), nodes.get("top/call/mul").getInputList());
    assertEquals("Identity", nodes.get("top/idn").getOp());
    assertEquals(List.of("a", "top/call/split", "top/call/mul", "top/idn"), r.nodes().stream().map(NodeDef::getName).toList());
  }

  @Test
  void everyOpInTheRulesTableIsARegisteredOp() {
    java.util.Set<String> registered = new java.util.HashSet<>();
    TensorFlow.registeredOpList().getOpList().forEach(op -> registered.add(op.getName()));
    for (InlineRules.Rule rule : InlineRules.all()) {
      assertTrue(registered.contains(rule.op()), rule.op() + " is not a TensorFlow op");
      assertTrue(rule.kind() != InlineRules.Kind.REFUSE || rule.reason() != null, rule.op());
    }
    assertNotNull(InlineRules.of("StatelessWhile"));
  }

  private static OpDef.ArgDef arg(String name, DataType t) {
    return OpDef.ArgDef.newBuilder().setName(name).setType(t).build();
  }

  private static NodeDef.Builder node(String name, String op, String... inputs) {
    return NodeDef.newBuilder().setName(name).setOp(op).addAllInput(List.of(inputs));
  }

  private static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  private static AttrValue types(DataType... ts) {
    return AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addAllType(List.of(ts))).build();
  }

  private static AttrValue func(String name) {
    return AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName(name)).build();
  }
}
