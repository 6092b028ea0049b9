package dev.compresso.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.model.FrozenGraph;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.NodeDef;

/**
 * Calibration end to end on a tiny UNet-like graph (conv+relu, max-pool, transposed conv, concat): the
 * planned sites, FakeQuant nodes with constant ranges, conversion to full integer through the real
 * converter (whose output check fails on any float tensor), and the interpreter's dequantized output
 * against TF's float output.
 */
class CalibrationTest {

  static FrozenGraph graph;
  static Dataset data;

  @BeforeAll
  static void build() {
    graph = TinyQuantGraphs.unetLike();
    data = TinyQuantGraphs.data(20, 1);
  }

  @Test
  void planPutsRangesAtFusedGroupEndsAndSkipsSameScaleOps() {
    QuantPlan plan = QuantPlanner.defaults().plan(graph);
    assertEquals(List.of("x", "enc_relu", "mid_relu", "up_bias_add", "concat", "head_bias_add"),
        plan.activations().stream().map(QuantPlan.ActivationSite::node).toList());
    assertEquals(List.of("enc_conv", "mid_conv", "up_conv_transpose", "head_conv"),
        plan.weights().stream().map(QuantPlan.WeightSite::op).toList());
    assertEquals("up_kernel", plan.weights().get(2).constNode());
  }

  @Test
  void insertsFakeQuantWithConstantRangesAndKeepsOutputNames() {
    Calibration.Result r = Calibration.calibrate(graph, data, CalibrationOptions.builder().optSamples(10)
        .optEqualizeConcats(false).build());
    GraphIndex index = new GraphIndex(r.graph().graphDef());
    NodeDef fq = index.node(index.node("y").getInput(0));
    assertEquals("FakeQuantWithMinMaxVars", fq.getOp());
    assertEquals("head_bias_add", fq.getInput(0));
    assertEquals("Const", index.node(fq.getInput(1)).getOp());
    // A planned node that is itself a graph output is moved aside and its FakeQuant takes its name.
    QuantPlan plan = QuantPlanner.defaults().plan(graph);
    GraphIndex renamed = new GraphIndex(GraphRewriter.apply(graph.graphDef(), FakeQuantInsertion.rewrites(
        new GraphIndex(graph.graphDef()), plan, r.ranges(), Set.of("head_bias_add"))));
    assertEquals("FakeQuantWithMinMaxVars", renamed.node("head_bias_add").getOp());
    assertEquals("head_bias_add/float", renamed.node("head_bias_add").getInput(0));
    assertEquals("BiasAdd", renamed.node("head_bias_add/float").getOp());
    assertEquals("head_bias_add", renamed.node("y").getInput(0));
    assertEquals("enc_relu/act_quant", index.node("pool").getInput(0));
    assertEquals("FakeQuantWithMinMaxVarsPerChannel", index.node("enc_conv/weight_quant").getOp());
    assertTrue(index.node("enc_conv/weight_quant").getAttrMap().get("narrow_range").getB());
    float[] skip = r.ranges().get("enc_relu");
    assertEquals(0f, skip[0]);
    assertTrue(skip[1] > 0 && skip[1] < r.ranges().get("up_bias_add")[1], Arrays.toString(skip));
    // The graph still runs and stays close to the float one (fake quantization only).
    float[] x = Arrays.copyOf(data.inputs(), TinyQuantGraphs.H * TinyQuantGraphs.H * TinyQuantGraphs.C);
    float[] a = TinyQuantGraphs.run(graph.graphDef(), x);
    float[] b = TinyQuantGraphs.run(r.graph().graphDef(), x);
    double step = (r.ranges().get("head_bias_add")[1] - Math.min(0, r.ranges().get("head_bias_add")[0])) / 255;
    assertTrue(maxAbsDiff(a, b) <= 8 * step, "fake-quantized vs float: " + maxAbsDiff(a, b) + ", step " + step);
  }

  @Test
  void int8ModelIsFullyIntegerAndMatchesTensorFlow() {
    for (boolean equalize : new boolean[] {false, true}) {
      Calibration.Result r = Calibration.calibrate(graph, data,
          CalibrationOptions.builder().optEqualizeConcats(equalize).build());
      // Converter.convert runs OutputCheck: any tensor that stayed float is an error naming it.
      byte[] int8 = Converter.convert(r.graph(), ConversionOptions.builder(Precision.INT8).optIo(IoType.INT8).build());
      float[] range = r.ranges().get("head_bias_add");
      double step = (range[1] - Math.min(0, range[0])) / 255;
      Dataset held = TinyQuantGraphs.data(3, 99);
      int per = TinyQuantGraphs.H * TinyQuantGraphs.H * TinyQuantGraphs.C;
      try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.fromBytes(int8, "tiny-int8"),
          InterpreterOptions.defaults())) {
        for (int i = 0; i < held.size(); i++) {
          float[] x = Arrays.copyOfRange(held.inputs(), i * per, (i + 1) * per);
          float[] expected = TinyQuantGraphs.run(graph.graphDef(), x);
          float[] actual = it.run(x)[0];
          double diff = maxAbsDiff(expected, actual);
          assertTrue(diff <= 8 * step, "equalize=" + equalize + ": max abs diff " + diff + " vs step " + step);
        }
      }
    }
  }

  @Test
  void wrongShapeDataIsBadInputNamingBothShapes() {
    Dataset wrong = Dataset.of("wrong.npz", new float[2 * 4 * 4 * 3], new long[] {4, 4, 3}, new float[2],
        new long[] {1}, 2);
    BadInputException e = assertThrows(BadInputException.class,
        () -> Calibration.calibrate(graph, wrong, CalibrationOptions.defaults()));
    assertTrue(e.getMessage().contains("wrong.npz") && e.getMessage().contains("[4, 4, 3]")
        && e.getMessage().contains("[8, 8, 3]"), e.getMessage());
  }

  @Test
  void nonFiniteActivationsNameTheSampleAndNode() {
    // An input of 1e38 overflows the convolutions to infinity: the message names sample and node.
    float[] x = TinyQuantGraphs.data(2, 3).inputs().clone();
    Arrays.fill(x, x.length / 2, x.length, 3e38f);
    Dataset huge = Dataset.of("huge", x, new long[] {TinyQuantGraphs.H, TinyQuantGraphs.H, TinyQuantGraphs.C},
        new float[2], new long[] {1}, 2);
    BadInputException e = assertThrows(BadInputException.class,
        () -> Calibration.calibrate(graph, huge, CalibrationOptions.defaults()));
    assertTrue(e.getMessage().contains("sample 1") && e.getMessage().contains("non-finite"), e.getMessage());
  }

  @Test
  void unsupportedOpsAreAllNamedAtOnce() {
    FrozenGraph withErf = TinyQuantGraphs.withUnsupported();
    BadInputException e = assertThrows(BadInputException.class, () -> QuantPlanner.defaults().plan(withErf));
    assertTrue(e.getMessage().contains("odd_erf (Erf)") && e.getMessage().contains("odd_cos (Cos)"),
        e.getMessage());
  }

  static double maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
