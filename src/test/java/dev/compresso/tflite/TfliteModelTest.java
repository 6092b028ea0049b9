package dev.compresso.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.compresso.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.TensorType;

class TfliteModelTest {

  @Test
  void readsTensorsOperatorsBuffersAndSignatures(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("fc_int8.tflite");
    Files.write(file, TinyModels.fullyConnectedInt8());
    TfliteModel model = TfliteModel.read(file);
    assertEquals(3, model.version());
    assertEquals("compresso test model", model.description());
    SubgraphInfo g = model.primarySubgraph();
    assertEquals(4, g.tensors().size());
    OperatorInfo fc = g.operators().get(0);
    assertEquals("FULLY_CONNECTED", fc.op());
    assertEquals(BuiltinOperator.FULLY_CONNECTED, fc.builtinCode());
    assertEquals(4, fc.version());
    assertArrayEquals(new int[] {0, 1, 2}, fc.inputs());
    TensorInfo w = g.tensor(1);
    assertEquals("INT8", w.dtype());
    assertEquals(12, w.bufferBytes());
    assertEquals(TinyModels.Q_W_SCALE, w.quantization().scale());
    TensorInfo x = g.tensor(0);
    assertEquals(TinyModels.Q_IN_ZERO, x.quantization().zeroPoint());
    assertEquals(0, x.bufferBytes());
    assertEquals(12, g.tensor(2).bufferBytes());

    TfliteModel add = TfliteModel.fromBytes(TinyModels.add(), "add.tflite");
    SignatureInfo sig = add.signature("serving_default").orElseThrow();
    assertEquals(Map.of("x", 0, "y", 1), sig.inputs());
    assertEquals(Map.of("sum", 2), sig.outputs());
  }

  @Test
  void perAxisQuantizationAndShapeSignature() {
    TfliteModel conv = TfliteModel.fromBytes(TinyModels.conv(4, 2, 3, true, 1), "conv.tflite");
    Quantization q = conv.primarySubgraph().tensor(1).quantization();
    assertTrue(q.isPerAxis());
    assertEquals(3, q.scales().length);
    assertEquals(0, q.quantizedDimension());
    TfliteModel fc = TfliteModel.fromBytes(TinyModels.fullyConnected(), "fc.tflite");
    assertArrayEquals(new int[] {-1, 3}, fc.primarySubgraph().tensor(0).shapeSignature());
  }

  @Test
  void reportCountsOpsTensorsAndBytes() {
    TfliteModel model = TfliteModel.fromBytes(TinyModels.fullyConnectedInt8(), "fc_int8.tflite");
    JsonObject json = TfliteReport.json(model);
    assertEquals(1, json.getAsJsonObject("op_histogram").get("FULLY_CONNECTED").getAsInt());
    JsonObject counts = json.getAsJsonObject("counts");
    assertEquals(4, counts.get("tensors").getAsInt());
    assertEquals(0, counts.get("float_tensors").getAsInt());
    assertEquals(4, counts.get("integer_tensors").getAsInt());
    assertEquals(15, counts.get("parameters").getAsInt());
    JsonObject buffers = json.getAsJsonObject("buffers");
    assertEquals(24, buffers.get("total_bytes").getAsLong());
    assertEquals(12, buffers.getAsJsonObject("bytes_by_dtype").get("INT8").getAsLong());
    assertEquals(12, buffers.getAsJsonObject("bytes_by_dtype").get("INT32").getAsLong());
    JsonObject w = json.getAsJsonArray("subgraphs").get(0).getAsJsonObject().getAsJsonArray("tensors").get(1)
        .getAsJsonObject();
    assertEquals(TinyModels.Q_W_SCALE, w.getAsJsonObject("quantization").getAsJsonArray("scales").get(0).getAsFloat());

    String text = TfliteReport.text(TfliteModel.fromBytes(TinyModels.add(), "add.tflite"));
    assertTrue(text.contains("ADD x1"), text);
    assertTrue(text.contains("signature 'serving_default'"), text);
    assertTrue(text.contains("3 float, 0 integer"), text);
  }

  @Test
  void wrongIdentifierMissingFileAndOutOfRangeIndexAreBadInput(@TempDir Path dir) {
    byte[] bytes = TinyModels.add();
    bytes[4] = 'X';
    BadInputException e = assertThrows(BadInputException.class, () -> TfliteModel.fromBytes(bytes, "m.tflite"));
    assertTrue(e.getMessage().startsWith("m.tflite: ") && e.getMessage().contains("TFL3"), e.getMessage());

    e = assertThrows(BadInputException.class, () -> TfliteModel.read(dir.resolve("none.tflite")));
    assertTrue(e.getMessage().contains("none.tflite"), e.getMessage());

    // An operator reading tensor 7 of a 3-tensor subgraph: passes TFLite's verifier, aborts AllocateTensors.
    TinyModelBuilder m = new TinyModelBuilder();
    int x = m.tensor("x", TensorType.FLOAT32, new int[] {1, 4}, 0);
    int y = m.tensor("y", TensorType.FLOAT32, new int[] {1, 4}, 0);
    m.op(BuiltinOperator.ADD, 1, new int[] {x, 7}, new int[] {y}, (byte) 0, null).io(new int[] {x}, new int[] {y});
    e = assertThrows(BadInputException.class, () -> TfliteModel.fromBytes(m.build(), "bad_index.tflite"));
    assertTrue(e.getMessage().contains("operator 0 (ADD) inputs[1] is tensor 7, the subgraph has 2 tensors"),
        e.getMessage());

    // A weight buffer too small for its shape.
    TinyModelBuilder w = new TinyModelBuilder();
    int in = w.tensor("in", TensorType.FLOAT32, new int[] {1, 3}, 0);
    int wt = w.tensor("w", TensorType.FLOAT32, new int[] {2, 3}, w.floatBuffer(1, 2, 3));
    int out = w.tensor("out", TensorType.FLOAT32, new int[] {1, 2}, 0);
    w.op(BuiltinOperator.FULLY_CONNECTED, 1, new int[] {in, wt, -1}, new int[] {out}, (byte) 0, null)
        .io(new int[] {in}, new int[] {out});
    e = assertThrows(BadInputException.class, () -> TfliteModel.fromBytes(w.build(), "short.tflite"));
    assertTrue(e.getMessage().contains("needs 24 bytes, its buffer 1 holds 12"), e.getMessage());
  }
}
