package dev.compresso.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.graph.GraphIndex;
import dev.compresso.model.FrozenGraph;
import dev.compresso.quant.Calibration;
import dev.compresso.quant.CalibrationOptions;
import dev.compresso.quant.ConstTensor;
import dev.compresso.quant.QuantPlanner;
import dev.compresso.tflite.OperatorInfo;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import dev.compresso.train.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/** The methods on a tiny frozen graph: what each promises, checked against TF and the converter's output. */
class PtqPipelineTest {

  private static PtqContext context(FrozenGraph graph, Dataset data, String methods, List<String> notes) {
    return new PtqContext(graph, QuantPlanner.defaults().plan(graph), data, data.size(),
        PtqOptions.builder().optMethods(methods).optAdaroundIterations(60).build(), notes::add);
  }

  @Test
  void cleKeepsTheFloatFunctionAndEqualizesKernels() {
    FrozenGraph g = TinyPtqGraphs.chain();
    Dataset data = TinyPtqGraphs.data(8, 1);
    PtqContext ctx = context(g, data, "cle", new ArrayList<>());
    PtqMethod.Outcome o = new CrossLayerEqualization().apply(ctx);
    assertEquals(3, o.layers(), o.detail()); // c1 -> c2 (ReLU), c2 -> dw (ReLU6), dw -> pw (linear)
    assertTrue(o.detail().matches(".*, [1-9]\\d* channel\\(s\\) of high bias absorbed"), o.detail());
    for (int i = 0; i < data.size(); i++) {
      float[] before = TinyPtqGraphs.run(g.graphDef(), data, i);
      float[] after = TinyPtqGraphs.run(ctx.graph().graphDef(), data, i);
      assertArrayEquals(before, after, 1e-5f, "sample " + i);
    }
    float[] r1 = ctx.constant("c1_kernel").channelAbsMax(3, -1);
    float[] r0 = ConstTensor.of(new GraphIndex(g.graphDef()).node("c1_kernel")).channelAbsMax(3, -1);
    assertTrue(ratio(r1) < ratio(r0) / 3, "channel range ratio " + ratio(r0) + " -> " + ratio(r1));
  }

  @Test
  void biasCorrectionCancelsTheMeanShiftOfQuantizedWeights() {
    FrozenGraph g = TinyPtqGraphs.chain();
    Dataset data = TinyPtqGraphs.data(16, 2);
    PtqContext ctx = context(g, data, "bias", new ArrayList<>());
    new BiasCorrection().apply(ctx);
    // c1 reads the input itself, so its float input is the same in both graphs: compare c1's pre-activation.
    FrozenGraph quantized = withDequantizedKernel(ctx.graph(), "c1_kernel");
    FrozenGraph uncorrected = withDequantizedKernel(g, "c1_kernel");
    double[] floatMean = channelMeans(g, data, "c1_bias");
    double[] corrected = channelMeans(quantized, data, "c1_bias");
    double[] plain = channelMeans(uncorrected, data, "c1_bias");
    double before = 0;
    for (int c = 0; c < floatMean.length; c++) {
      assertEquals(floatMean[c], corrected[c], 1e-5, "channel " + c);
      before = Math.max(before, Math.abs(plain[c] - floatMean[c]));
    }
    assertTrue(before > 1e-4, "quantization should shift some channel mean, largest " + before);
  }

  @Test
  void rangeSearchClipsSomeActivationRangesWithinMinMax() {
    FrozenGraph g = TinyPtqGraphs.chain();
    Dataset data = TinyPtqGraphs.data(16, 3);
    Calibration.Result plain = Calibration.calibrate(g, data, CalibrationOptions.builder().optSamples(16).build());
    Calibration.Result searched = Calibration.calibrate(g, data, CalibrationOptions.builder().optSamples(16)
        .optHook(new PtqPipeline(PtqOptions.of("range"), line -> { })).build());
    int clipped = 0;
    for (Map.Entry<String, float[]> e : plain.ranges().entrySet()) {
      float[] s = searched.ranges().get(e.getKey());
      assertTrue(s[0] >= Math.min(0, e.getValue()[0]) && s[1] <= Math.max(0, e.getValue()[1]), e.getKey());
      clipped += Arrays.equals(s, e.getValue()) ? 0 : 1;
    }
    assertTrue(clipped > 0, "no range clipped");
  }

  @Test
  void adaRoundBeatsNearestOnItsLayerAndTheConverterKeepsItsGrid() {
    FrozenGraph g = TinyPtqGraphs.chain();
    Dataset data = TinyPtqGraphs.data(16, 4);
    PtqContext ctx = context(g, data, "adaround", new ArrayList<>());
    WeightLayer c1 = ctx.layers().get(0);
    AdaRound.LayerFit fit = AdaRound.fit(ctx, c1, new float[1][]);
    assertTrue(fit.learned() <= fit.nearest() * 1.0001f, fit.toString());

    PtqPipeline pipeline = new PtqPipeline(PtqOptions.builder().optMethods("adaround").optAdaroundIterations(60)
        .build(), line -> { });
    Calibration.Result r = Calibration.calibrate(g, data, CalibrationOptions.builder().optSamples(16)
        .optHook(pipeline).build());
    GraphIndex index = new GraphIndex(r.graph().graphDef());
    byte[] tflite = Converter.convert(r.graph(), ConversionOptions.builder(Precision.INT8).build());
    TfliteModel model = TfliteModel.fromBytes(tflite, "tiny");
    SubgraphInfo sub = model.primarySubgraph();
    int checked = 0;
    for (OperatorInfo op : sub.operators()) {
      if (!List.of("CONV_2D", "DEPTHWISE_CONV_2D").contains(op.op())) {
        continue;
      }
      TensorInfo t = sub.tensor(op.inputs()[1]);
      assertEquals("INT8", t.dtype().toUpperCase(), t.toString());
      byte[] q = model.bufferData(t.buffer());
      float[] scales = t.quantization().scales();
      int channels = scales.length;
      // TFLite layouts: CONV_2D [out, h, w, in] (channel first), DEPTHWISE [1, h, w, out] (channel last).
      boolean first = op.op().equals("CONV_2D");
      float[] stored = new float[q.length];
      for (int i = 0; i < q.length; i++) {
        int c = first ? i / (q.length / channels) : i % channels;
        stored[i] = q[i] * scales[c];
      }
      float[] kernel = kernelWith(index, q.length);
      Arrays.sort(stored);
      Arrays.sort(kernel);
      float tol = 1e-6f;
      for (float s : scales) {
        tol = Math.max(tol, s * 1e-3f);
      }
      assertArrayEquals(kernel, stored, tol, op.op() + " with " + q.length + " weights");
      checked++;
    }
    assertEquals(4, checked);
    assertEquals(1, pipeline.steps().size());
  }

  @Test
  void tooFewSamplesNameTheMethodAndTheCount() {
    FrozenGraph g = TinyPtqGraphs.chain();
    Dataset data = TinyPtqGraphs.data(4, 5);
    BadInputException e = assertThrows(BadInputException.class, () -> Calibration.calibrate(g, data,
        CalibrationOptions.builder().optSamples(4).optHook(new PtqPipeline(PtqOptions.of("cle,adaround"), l -> { }))
            .build()));
    assertTrue(e.getMessage().contains("4 calibration sample(s)") && e.getMessage().contains("'adaround' needs at "
        + "least 16") && e.getMessage().contains("'cle' needs at least 8"), e.getMessage());
  }

  /** The default methods are not asked for: those short of samples are skipped with a note, the others run. */
  @Test
  void theDefaultMethodsShortOfSamplesAreSkippedWithANoteNotRefused() {
    FrozenGraph g = TinyPtqGraphs.chain();
    List<String> notes = new ArrayList<>();
    PtqPipeline p = new PtqPipeline(PtqOptions.defaults(), notes::add);
    assertEquals(PtqOptions.DEFAULT_METHODS, PtqOptions.defaults().toString());
    Calibration.Result r = Calibration.calibrate(g, TinyPtqGraphs.data(10, 7), CalibrationOptions.builder()
        .optSamples(10).optHook(p).build());
    assertTrue(r.graph().hasFakeQuant());
    assertTrue(notes.get(0).startsWith("ptq: of the default methods range,bias, 'bias' needs at least 16 of the 10 "
        + "calibration sample(s): skipped"), notes.toString());
    assertEquals(List.of("range", "range/activations"), p.steps().stream().map(PtqPipeline.Step::method).toList());
    // Asked for, the same methods on the same samples are refused.
    assertThrows(BadInputException.class, () -> Calibration.calibrate(g, TinyPtqGraphs.data(10, 7),
        CalibrationOptions.builder().optSamples(10).optHook(new PtqPipeline(PtqOptions.of("range,bias"), l -> { }))
            .build()));
    // With enough samples both run.
    PtqPipeline full = new PtqPipeline(PtqOptions.defaults(), l -> { });
    Calibration.calibrate(g, TinyPtqGraphs.data(16, 7), CalibrationOptions.builder().optSamples(16).optHook(full)
        .build());
    assertEquals(List.of("range", "bias", "range/activations"),
        full.steps().stream().map(PtqPipeline.Step::method).toList());
  }

  @Test
  void aMethodWithNoLayerIsNotedAndSkipped() {
    FrozenGraph g = TinyPtqGraphs.single();
    List<String> notes = new ArrayList<>();
    Dataset data16 = TinyPtqGraphs.data(16, 6);
    PtqPipeline p = new PtqPipeline(PtqOptions.of("cle,bias"), notes::add);
    Calibration.Result r = Calibration.calibrate(g, data16, CalibrationOptions.builder().optSamples(16).optHook(p)
        .build());
    assertTrue(r.graph().hasFakeQuant());
    assertEquals(2, notes.size(), notes.toString());
    // The AddV2 of a per-channel constant is the conv's bias for bias correction, as the converter fuses it.
    assertTrue(notes.get(1).startsWith("ptq bias: 1 layer(s) corrected"), notes.get(1));
    assertTrue(notes.get(0).startsWith("ptq cle: applies to no layer of this model (") && notes.get(0).endsWith("skipped"),
        notes.get(0));
    assertNotEquals(0, p.steps().size());
  }

  private static float ratio(float[] r) {
    float max = 0;
    float min = Float.POSITIVE_INFINITY;
    for (float v : r) {
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    return max / min;
  }

  private static float[] kernelWith(GraphIndex index, int elements) {
    for (String name : List.of("c1_kernel", "c2_kernel", "dw_kernel", "pw_kernel")) {
      ConstTensor t = ConstTensor.of(index.node(name));
      if (t.values().length == elements) {
        return t.values().clone();
      }
    }
    throw new AssertionError("no kernel of " + elements + " elements");
  }

  private static FrozenGraph withDequantizedKernel(FrozenGraph g, String kernel) {
    PtqContext ctx = new PtqContext(g, QuantPlanner.defaults().plan(g), TinyPtqGraphs.data(1, 0), 1,
        PtqOptions.none(), l -> { });
    ConstTensor k = ctx.constant(kernel);
    ctx.replace(List.of(new ConstTensor(kernel, ConverterWeights.dequantized(k,
        dev.compresso.quant.WeightQuant.perChannel(1, 3)), k.shape())));
    return ctx.graph();
  }

  private static double[] channelMeans(FrozenGraph g, Dataset data, String node) {
    int per = TinyPtqGraphs.H * TinyPtqGraphs.H * TinyPtqGraphs.C;
    double[] sum = null;
    try (Graph graph = new Graph()) {
      graph.importGraphDef(g.graphDef());
      try (Session s = new Session(graph)) {
        for (int i = 0; i < data.size(); i++) {
          float[] x = Arrays.copyOfRange(data.inputs(), i * per, (i + 1) * per);
          try (TFloat32 in = Tensors.of(x, 1, TinyPtqGraphs.H, TinyPtqGraphs.H, TinyPtqGraphs.C);
              Result r = s.runner().feed("x", in).fetch(node).run()) {
            float[] v = Tensors.read(r.get(0));
            int channels = 8;
            if (sum == null) {
              sum = new double[channels];
            }
            for (int j = 0; j < v.length; j++) {
              sum[j % channels] += v[j] / (v.length / (double) channels) / data.size();
            }
          }
        }
      }
    }
    return sum;
  }
}
