package dev.compresso.prune.shrink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.model.SavedModelExporter;
import dev.compresso.prune.Granularity;
import dev.compresso.prune.PruneConfig;
import dev.compresso.prune.PrunedOutput;
import dev.compresso.prune.Pruner;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import dev.compresso.train.FitConfig;
import dev.compresso.train.Predictor;
import dev.compresso.zoo.UNet;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * Shrinking the tiny UNet (32x32, 4 filters, depth 2): filters zeroed by hand are removed with the
 * matching input channels of their consumers (through ReLU, max-pool, transposed conv and concat skips)
 * and the outputs do not move; and the whole prune-channel-shrink chain writes a model a quarter of
 * the size that loads, converts and matches in the TFLite interpreter.
 */
class ShrinkerTest {

  @TempDir
  static Path tmp;

  static ImportedModel input;
  static Dataset data;

  @BeforeAll
  static void exportTinyUNet() {
    Path dir = tmp.resolve("unet");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      UNet.Built built = new UNet(32, 1, 4, 2).build(g, 3);
      built.store().assign(s, built.initialValues());
      Signature sig = Signature.builder("serving_default").input(UNet.INPUT_NAME, built.model().input())
          .output(UNet.OUTPUT_NAME, built.model().output()).build();
      SavedModelExporter.export(s, sig, dir, true);
    }
    input = ModelImporter.read(dir, "serve", "serving_default");
    data = SyntheticShapes.generate(4, 32, 5);
  }

  private static String var(ImportedModel m, String layer, String kind) {
    return m.variables().keySet().stream().filter(k -> k.startsWith(layer + "/") && k.endsWith("/" + kind))
        .findFirst().orElseThrow(() -> new AssertionError("no " + layer + " " + kind + " in " + m.variables().keySet()));
  }

  /** Random biases everywhere (so constants would show), then the given filters and their biases zeroed. */
  private static ImportedModel withDeadFilters(Map<String, int[]> deadByLayer, Map<String, Float> deadBias) {
    Map<String, ImportedModel.VariableValue> v = new LinkedHashMap<>(input.variables());
    Random r = new Random(7);
    for (String k : v.keySet()) {
      if (k.endsWith("/bias")) {
        float[] b = v.get(k).values().clone();
        for (int i = 0; i < b.length; i++) {
          b[i] = (float) r.nextGaussian() * 0.3f;
        }
        v.put(k, new ImportedModel.VariableValue(v.get(k).shape(), b));
      }
    }
    deadByLayer.forEach((layer, channels) -> {
      String kernel = var(input, layer, "kernel");
      ImportedModel.VariableValue k = v.get(kernel);
      int axis = layer.contains("_up") ? 2 : 3;
      float[] w = k.values().clone();
      long inner = axis == 2 ? k.shape()[3] : 1;
      for (int i = 0; i < w.length; i++) {
        for (int c : channels) {
          if ((i / inner) % k.shape()[axis] == c) {
            w[i] = 0;
          }
        }
      }
      v.put(kernel, new ImportedModel.VariableValue(k.shape(), w));
      String bias = var(input, layer, "bias");
      float[] b = v.get(bias).values().clone();
      for (int c : channels) {
        b[c] = deadBias.getOrDefault(layer, 0f);
      }
      v.put(bias, new ImportedModel.VariableValue(v.get(bias).shape(), b));
    });
    return input.with(input.graph(), v);
  }

  private static float[] predict(ImportedModel m) {
    try (ModelSession s = new ModelSession(m, x -> false)) {
      return Predictor.predict(s.session(), s.trainable(), data, 2);
    }
  }

  private static float maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    float worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  @Test
  void handZeroedFiltersAreRemovedThroughPoolConcatAndTransposedConvAndOutputsStay() {
    // enc1_conv1 [3,3,8,8]: 2 filters, relu(-0.5) = 0; its channels go to max-pool -> mid_conv0 [3,3,8,16]
    // and, through the skip, to dec1_conv0 [3,3,16,8] at offset 8. dec1_up [2,2,8,16] (transposed, no
    // ReLU): 1 filter with bias 0, to dec1_conv0 at offset 0.
    ImportedModel dead = withDeadFilters(Map.of("enc1_conv1", new int[] {1, 6}, "dec1_up", new int[] {3}),
        Map.of("enc1_conv1", -0.5f));
    Shrinker.Result r = Shrinker.shrink(dead);
    long expected = 3 * 3 * 8 * 2 + 2 + 3 * 3 * 2 * 16 + 3 * 3 * 2 * 8 // enc1_conv1 out, bias, consumers
        + 2 * 2 * 1 * 16 + 1 + 3 * 3 * 1 * 8; // dec1_up out, bias, dec1_conv0
    assertEquals(expected, r.parametersBefore() - r.parametersAfter(), r.layers().toString());
    assertEquals(2, r.layers().size(), r.layers().toString());
    ImportedModel m = r.model();
    assertArrayEquals(new long[] {3, 3, 8, 6}, m.variables().get(var(m, "enc1_conv1", "kernel")).shape());
    assertArrayEquals(new long[] {6}, m.variables().get(var(m, "enc1_conv1", "bias")).shape());
    assertArrayEquals(new long[] {3, 3, 6, 16}, m.variables().get(var(m, "mid_conv0", "kernel")).shape());
    assertArrayEquals(new long[] {2, 2, 7, 16}, m.variables().get(var(m, "dec1_up", "kernel")).shape());
    assertArrayEquals(new long[] {3, 3, 13, 8}, m.variables().get(var(m, "dec1_conv0", "kernel")).shape());
    float diff = maxDiff(predict(dead), predict(m));
    System.out.printf("shrink by hand: %d -> %d parameters, max |diff| %.3g%n", r.parametersBefore(),
        r.parametersAfter(), diff);
    assertTrue(diff <= 1e-4f, "outputs moved by " + diff);
  }

  @Test
  void deadFilterWithANonzeroConstantOutputIsKept() {
    ImportedModel dead = withDeadFilters(Map.of("dec0_conv1", new int[] {2}), Map.of("dec0_conv1", 0.4f));
    Shrinker.Result r = Shrinker.shrink(dead);
    assertEquals(r.parametersBefore(), r.parametersAfter());
    assertEquals(1, r.skipped().size(), r.skipped().toString());
    assertTrue(r.skipped().get(0).node().startsWith("dec0_conv1") && r.skipped().get(0).reason().contains("constant"),
        r.skipped().toString());
  }

  @Test
  void theHeadFeedingTheModelOutputIsNeverShrunk() {
    ImportedModel dead = withDeadFilters(Map.of(), Map.of());
    Map<String, ImportedModel.VariableValue> v = new LinkedHashMap<>(dead.variables());
    String head = var(dead, "head", "kernel");
    v.put(head, new ImportedModel.VariableValue(v.get(head).shape(), new float[v.get(head).values().length]));
    Shrinker.Result r = Shrinker.shrink(dead.with(dead.graph(), v));
    assertEquals(r.parametersBefore(), r.parametersAfter());
    assertEquals(1, r.skipped().size(), r.skipped().toString());
    assertTrue(r.skipped().get(0).reason().contains("Sigmoid") || r.skipped().get(0).reason().contains("output"),
        r.skipped().get(0).reason());
  }

  @Test
  void channelPrunedThenShrunkModelIsAQuarterTheSizeLoadsConvertsAndMatchesTflite() {
    Dataset train = SyntheticShapes.generate(16, 32, 1);
    PruneConfig config = PruneConfig.builder(0.5).optMinParameters(0).optGranularity(Granularity.parse("channel"))
        .optFit(FitConfig.builder().optEpochs(1).optBatchSize(8).optSeed(1).build()).build();
    Pruner.Result pruned = Pruner.prune(input, train, null, data, config, null);
    Shrinker.Result r = Shrinker.shrink(pruned.stripped());
    System.out.printf("prune+shrink: %d -> %d parameters (%.3fx); layers %s; skipped %s%n", r.parametersBefore(),
        r.parametersAfter(), r.ratio(), r.layers(), r.skipped());
    assertTrue(r.ratio() <= 0.30, "ratio " + r.ratio());
    assertEquals(12, r.layers().size(), "every conv but the head loses half its filters: " + r.layers());
    assertTrue(r.layers().stream().allMatch(l -> l.channelsAfter() * 2 == l.channelsBefore()), r.layers().toString());
    float diff = maxDiff(predict(pruned.stripped()), predict(r.model()));
    assertTrue(diff <= 1e-4f, "the shrink moved outputs by " + diff);

    Path out = tmp.resolve("shrunk");
    PrunedOutput.write(r.model(), pruned.report(), out, false);
    ImportedModel back = ModelImporter.read(out, "serve", "serving_default");
    assertEquals(r.parametersAfter(), back.parameterCount());
    Dataset one = data.slice(0, 1);
    float[] expected;
    try (ModelSession s = new ModelSession(back, x -> false)) {
      expected = Predictor.predict(s.session(), s.trainable(), one, 1);
    }
    FrozenGraph frozen = Freezer.freeze(out, "serving_default", 1);
    byte[] tflite = Converter.convert(frozen, ConversionOptions.of(Precision.FP32));
    float[] actual;
    try (TfliteInterpreter interpreter = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, "shrunk.tflite"),
        InterpreterOptions.defaults())) {
      actual = interpreter.run(one.inputs())[0];
    }
    float worst = maxDiff(expected, actual);
    System.out.printf("shrunk fp32 .tflite %d bytes, max |tflite - tf| %.3g%n", tflite.length, worst);
    assertTrue(worst <= 1e-4f, "max abs diff " + worst);
  }

  @Test
  void slicingDropsTheGivenIndicesAlongEachAxis() {
    float[] v = new float[2 * 3 * 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    Map<Integer, java.util.Set<Integer>> remove = Map.of(1, java.util.Set.of(0, 2), 2, java.util.Set.of(3));
    assertArrayEquals(new long[] {2, 1, 3}, Slicing.shapeAfter(new long[] {2, 3, 4}, remove));
    assertArrayEquals(new float[] {4, 5, 6, 16, 17, 18}, Slicing.slice(v, new long[] {2, 3, 4}, remove));
    assertTrue(Slicing.allZero(new float[] {0, 1, 0, 2}, new long[] {2, 2}, 1, 0));
    assertTrue(!Slicing.allZero(new float[] {0, 1, 0, 2}, new long[] {2, 2}, 1, 1));
  }

  @Test
  void producerAxesAgreeWithThePrunableOpsTable() {
    for (ShrinkOps.Entry e : ShrinkOps.all()) {
      if (e.kind() == ShrinkOps.Kind.PRODUCER) {
        dev.compresso.prune.PrunableOps.Entry p = dev.compresso.prune.PrunableOps.find(e.op());
        org.tensorflow.proto.NodeDef n = org.tensorflow.proto.NodeDef.newBuilder().setName("n").setOp(e.op()).build();
        assertEquals(p.outputAxes(n)[0], e.outputAxis(n), e.op());
        assertEquals(p.outputAxes(n)[1], e.outputAxis(n), e.op());
        assertTrue(e.inputAxis(n) != e.outputAxis(n) && e.inputAxis(n) < p.rank(), e.op());
      }
    }
  }
}
