package dev.compresso.tflite.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.TfliteFile;
import dev.compresso.data.Dataset;
import dev.compresso.model.keras.KerasFiles;
import dev.compresso.tflite.OperatorInfo;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.InterpreterOptions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A float op that reads the model's float input (kept float with {@code --keep-float}) reads the float values
 * themselves, not a DEQUANTIZE of their int8 quantization: the first layer of a model whose raw inputs a
 * per-tensor int8 scale cannot hold (features of very different scales) can then run before that quantization.
 */
class FloatInputBypassTest {

  @Test
  void aKeptFloatFirstConvReadsTheFloatInputItself() {
    Dataset ref = KerasFiles.reference("conv2d");
    try (CompressoModel model = Compresso.load(KerasFiles.file("conv2d.keras"))) {
      TfliteFile plain = model.convert(Conversion.int8().calibrateWith(ref));
      SubgraphInfo g0 = plain.model().primarySubgraph();
      OperatorInfo firstConv = g0.operators().stream().filter(o -> o.op().equals("CONV_2D")).findFirst().orElseThrow();
      String name = g0.tensor(firstConv.outputs()[0]).name().split(";")[0].replace("/Relu", "/Conv2D");
      TfliteFile kept = model.convert(Conversion.int8().calibrateWith(ref).keepFloat(Set.of(name)));
      SubgraphInfo g = kept.model().primarySubgraph();
      OperatorInfo conv = g.operators().stream().filter(o -> o.op().equals("CONV_2D")).findFirst().orElseThrow();
      int input = g.inputs()[0];
      assertEquals("FLOAT32", g.tensor(conv.inputs()[0]).dtype(), name + ": " + g.operators());
      assertEquals(input, conv.inputs()[0], "the kept conv reads the model's float input: " + g.operators());
      List<String> readsOfInput = g.operators().stream()
          .filter(o -> java.util.Arrays.stream(o.inputs()).anyMatch(t -> t == input)).map(OperatorInfo::op).toList();
      assertEquals(List.of("CONV_2D"), readsOfInput, "the input's QUANTIZE is gone, nothing else read it");
      double err = meanError(kept, ref);
      double plainErr = meanError(plain, ref);
      // Only the input's rounding is gone: on average no worse than the all-int8 file (beyond re-rounding).
      assertTrue(err <= 1.05 * plainErr, "int8 with a float first conv vs Keras: " + err + " (all int8: " + plainErr + ")");
    }
  }

  /** Mean absolute error against Keras' outputs. */
  private static double meanError(TfliteFile f, Dataset ref) {
    double err = 0;
    long n = 0;
    try (TfliteInterpreter it = TfliteInterpreter.open(f.model(), InterpreterOptions.defaults())) {
      int per = (int) Dataset.elements(ref.targetShape());
      for (int i = 0; i < ref.size(); i++) {
        float[] y = it.run(ref.slice(i, i + 1).inputs())[0];
        for (int j = 0; j < per; j++) {
          err += Math.abs(y[j] - ref.targets()[i * per + j]);
          n++;
        }
      }
    }
    return err / n;
  }
}
