package dev.compresso.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.TfliteFile;
import dev.compresso.data.Dataset;
import dev.compresso.edgetpu.EdgeTpuReport;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.convert.IoType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integer heads ({@code ArgMax}, {@code ArgMin}, a final {@code Cast}) stay in the full-integer model on
 * int8 inputs, as TFLite's int8 ARG_MAX / ARG_MIN run them; the class map agrees with the float model's.
 */
class IntegerHeadsTest {

  @TempDir
  Path tmp;

  @ParameterizedTest
  @EnumSource(IntegerHeadModels.Head.class)
  void theIntegerHeadStaysInTheInt8Model(IntegerHeadModels.Head head) {
    Path dir = tmp.resolve(head.name());
    IntegerHeadModels.export(dir, head);
    Dataset data = BatchNormFormsTest.data(16, new long[] {8, 8, 3}, 7);
    try (CompressoModel model = Compresso.load(dir)) {
      TfliteFile fp32 = model.convert(Conversion.fp32());
      TfliteFile int8 = model.convert(Conversion.int8().io(IoType.UINT8).calibrateWith(data));
      List<String> floats = int8.model().primarySubgraph().tensors().stream()
          .filter(t -> t.dtype().startsWith("FLOAT")).map(TensorInfo::toString).toList();
      assertTrue(floats.isEmpty(), "float tensors: " + floats);
      TensorInfo out = int8.model().primarySubgraph().tensors().get(int8.model().primarySubgraph().outputs()[0]);
      assertEquals(head == IntegerHeadModels.Head.ARGMAX_CAST ? "INT32" : "INT64", out.dtype());
      TensorInfo in = int8.model().primarySubgraph().tensors().get(int8.model().primarySubgraph().inputs()[0]);
      assertEquals("UINT8", in.dtype());
      int agree = 0;
      int total = 0;
      try (TfliteInterpreter f = TfliteInterpreter.open(fp32.model(), InterpreterOptions.defaults());
          TfliteInterpreter q = TfliteInterpreter.open(int8.model(), InterpreterOptions.defaults())) {
        for (int i = 0; i < data.size(); i++) {
          float[] x = data.slice(i, i + 1).inputs();
          float[] a = f.run(x)[0];
          float[] b = q.run(x)[0];
          for (int j = 0; j < a.length; j++) {
            agree += a[j] == b[j] ? 1 : 0;
          }
          total += a.length;
        }
      }
      assertTrue(agree >= 0.85 * total, "class agreement " + agree + " of " + total);
      if (head == IntegerHeadModels.Head.ARGMAX) {
        // validate compares the class maps as numbers (the reference's int64 output read as floats).
        Dataset withMaps = Dataset.of("maps", data.inputs(), data.inputShape(), new float[16 * 64], new long[] {8, 8}, 16);
        dev.compresso.api.Validation v = int8.validate(model, withMaps,
            dev.compresso.api.Validating.defaults().threads(1).runs(1).warmup(0).samples(16));
        assertTrue(v.maxAbsError() <= 3 && Double.isFinite(v.loss()), v.toString());
      }
      EdgeTpuReport tpu = int8.edgeTpu();
      String headOp = head == IntegerHeadModels.Head.ARGMIN ? "ARG_MIN" : "ARG_MAX";
      assertTrue(tpu.text().contains(headOp), tpu.text());
      assertEquals(3, tpu.opsOnTpu(), tpu.text());
      assertTrue(tpu.onlyIntegerHeadOnCpu(), tpu.text());
      assertTrue(tpu.verdict().contains("only the integer head at the end (" + headOp)
          && tpu.modelFindings().isEmpty(), tpu.text());
    }
  }
}
