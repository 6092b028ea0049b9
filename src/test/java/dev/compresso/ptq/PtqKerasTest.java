package dev.compresso.ptq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.data.Dataset;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.KerasFixtures;
import dev.compresso.quant.BatchNormFolding;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * The methods on a real Keras model (the CNN classifier fixture: conv, depthwise, separable, dense). AdaRound:
 * every int8 kernel the official converter writes, read back from the .tflite and dequantized, is exactly a
 * kernel the method stored (its own rounding kept the learned grid), for CONV_2D, DEPTHWISE_CONV_2D and
 * FULLY_CONNECTED. CLE: the float outputs on the fixture's reference inputs are unchanged within 1e-5.
 */
class PtqKerasTest {

  @Test
  void theConverterKeepsLearnedRoundingOfEveryKernelKind() {
    try (CompressoModel m = Compresso.load(KerasFixtures.dir("cnn_classifier", "keras_export"))) {
      FrozenGraph g = Freezer.freeze(BatchNormFolding.fold(m.imported()).model(), 1);
      Random rnd = new Random(9);
      int n = AdaRound.MIN_SAMPLES;
      float[] x = new float[n * 32 * 32 * 3];
      for (int i = 0; i < x.length; i++) {
        x[i] = rnd.nextFloat();
      }
      Dataset data = Dataset.of("uniform", x, new long[] {32, 32, 3}, new float[n], new long[] {1}, n);
      List<String> notes = new ArrayList<>();
      PtqPipeline p = new PtqPipeline(PtqOptions.builder().optMethods("adaround").optAdaroundIterations(40).build(),
          notes::add);
      Calibration.Result r = Calibration.calibrate(g, data, CalibrationOptions.builder().optSamples(n).optHook(p)
          .build());
      assertTrue(notes.get(notes.size() - 1).contains("7 layer(s) rounded"), notes.toString());
      List<float[]> kernels = new ArrayList<>();
      for (NodeDef node : r.graph().graphDef().getNodeList()) {
        if (node.getOp().equals("Const") && node.getAttrOrThrow("dtype").getType() == DataType.DT_FLOAT) {
          float[] v = ConstTensor.of(node).values().clone();
          Arrays.sort(v);
          kernels.add(v);
        }
      }
      TfliteModel model = TfliteModel.fromBytes(Converter.convert(r.graph(),
          ConversionOptions.builder(Precision.INT8).build()), "cnn_classifier");
      SubgraphInfo sub = model.primarySubgraph();
      List<String> kinds = new ArrayList<>();
      for (OperatorInfo op : sub.operators()) {
        if (!List.of("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED").contains(op.op())) {
          continue;
        }
        TensorInfo t = sub.tensor(op.inputs()[1]);
        byte[] q = model.bufferData(t.buffer());
        float[] scales = t.quantization().scales();
        float[] stored = new float[q.length];
        for (int i = 0; i < q.length; i++) {
          int c = scales.length == 1 ? 0 : op.op().equals("DEPTHWISE_CONV_2D") ? i % scales.length
              : i / (q.length / scales.length);
          stored[i] = q[i] * scales[c];
        }
        Arrays.sort(stored);
        float tol = 0;
        for (float s : scales) {
          tol = Math.max(tol, s * 1e-3f);
        }
        boolean found = false;
        for (float[] k : kernels) {
          found |= k.length == stored.length && maxDiff(k, stored) <= tol;
        }
        assertTrue(found, op.op() + " kernel of " + q.length + " int8 weights is not a stored adaround kernel");
        kinds.add(op.op());
      }
      assertEquals(7, kinds.size(), kinds.toString());
      assertTrue(kinds.containsAll(List.of("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")), kinds.toString());
    }
  }

  @Test
  void cleKeepsTheFloatOutputsOfTheKerasModel() {
    try (CompressoModel m = Compresso.load(KerasFixtures.dir("cnn_classifier", "keras_export"))) {
      FrozenGraph g = Freezer.freeze(BatchNormFolding.fold(m.imported()).model(), 1);
      Dataset data = uniform(CrossLayerEqualization.MIN_SAMPLES, 10);
      PtqContext ctx = new PtqContext(g, QuantPlanner.defaults().plan(g), data, data.size(), PtqOptions.of("cle"),
          line -> { });
      // Biases: two folded from batch norm, two read as Squeeze(Reshape(bias)) as Keras 3 writes them, and the
      // dense one; the two depthwise halves of the separable convs have none.
      assertEquals(5, ctx.layers().stream().filter(l -> l.bias() != null).count());
      PtqMethod.Outcome o = new CrossLayerEqualization().apply(ctx);
      assertEquals(3, o.layers(), o.detail()); // stem -> dw (ReLU), dw halves -> pointwise halves (linear)
      Dataset check = uniform(8, 11);
      float largest = 0;
      for (int i = 0; i < check.size(); i++) {
        float[] before = output(g, check, i);
        float[] after = output(ctx.graph(), check, i);
        for (int j = 0; j < before.length; j++) {
          largest = Math.max(largest, Math.abs(before[j] - after[j]));
        }
      }
      assertTrue(largest <= 1e-5f, "largest float output change " + largest);
    }
  }

  private static Dataset uniform(int n, long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[n * 32 * 32 * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextFloat();
    }
    return Dataset.of("uniform", x, new long[] {32, 32, 3}, new float[n], new long[] {1}, n);
  }

  private static float[] output(FrozenGraph g, Dataset data, int i) {
    int per = 32 * 32 * 3;
    float[] sample = Arrays.copyOfRange(data.inputs(), i * per, (i + 1) * per);
    try (org.tensorflow.Graph graph = new org.tensorflow.Graph()) {
      graph.importGraphDef(g.graphDef());
      try (org.tensorflow.Session s = new org.tensorflow.Session(graph);
          org.tensorflow.types.TFloat32 in = dev.compresso.train.Tensors.of(sample, 1, 32, 32, 3);
          org.tensorflow.Result r = s.runner().feed(g.inputs().get(0).node(), in)
              .fetch(g.outputs().get(0).tensor()).run()) {
        return dev.compresso.train.Tensors.read(r.get(0));
      }
    }
  }

  private static float maxDiff(float[] a, float[] b) {
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
