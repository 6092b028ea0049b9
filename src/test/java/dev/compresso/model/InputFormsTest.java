package dev.compresso.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.NpyArray;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * What the official converter takes from public SavedModels ({@link InputFormFixtures}, written by TensorFlow
 * 2.21): several inputs, int32/int64 variables next to float ones, a TF1 signature whose input is an {@code
 * Identity} of its {@code Placeholder} (TF 2.x's resource variables and TF 1.x's ref variables, with an int64 one).
 * Each is imported, frozen, converted by the official converter and run
 * in the real TFLite interpreter, its output compared with TensorFlow's own.
 */
class InputFormsTest {

  static final float FP32_TOLERANCE = 1e-5f;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "two_inputs_tf2, fp32, 1e-5",
      "two_inputs_tf2, fp16, 5e-3",
      "two_inputs_tf2, dynamic, 5e-2",
      "int_variables, fp32, 1e-5",
      "int_variables, fp16, 5e-3",
      "tf1_identity, fp32, 1e-5",
      "tf1_identity, dynamic, 5e-2",
      "tf1_refvars, fp32, 1e-5",
      "tf1_refvars, fp16, 5e-3",
      "keras_two_inputs, fp32, 1e-5"})
  void convertedFixtureMatchesTensorFlow(String fixture, String precision, float tolerance) {
    FrozenGraph frozen = Freezer.freeze(InputFormFixtures.model(fixture));
    byte[] tflite = Converter.convert(frozen, ConversionOptions.of(Precision.parse(precision)));
    float worst = maxError(fixture, frozen, tflite);
    System.out.printf("%s %s: %d input(s), max |tflite - tensorflow| %.3g%n", fixture, precision,
        frozen.inputs().size(), worst);
    assertTrue(worst <= tolerance, fixture + " " + precision + ": max abs diff " + worst);
  }

  /**
   * Calibrated int8 on the fixtures' own samples: the int32 variable stays the GATHER's int32 indices, every
   * tensor but the float I/O is integer, and the outputs stay within a few int8 steps of TensorFlow's.
   */
  @ParameterizedTest(name = "{0} int8")
  @CsvSource({"int_variables", "tf1_identity", "two_inputs_tf2", "tf1_refvars", "keras_two_inputs"})
  void int8CalibratedOnTheFixtureStaysInteger(String fixture) {
    FrozenGraph frozen = Freezer.freeze(InputFormFixtures.model(fixture));
    byte[] tflite;
    try (dev.compresso.api.CompressoModel model = dev.compresso.api.Compresso.load(InputFormFixtures.model(fixture))) {
      tflite = model.convert(dev.compresso.api.Conversion.int8()
          .calibrateWith(InputFormFixtures.reference(fixture).toString())).bytes();
    }
    dev.compresso.tflite.SubgraphInfo g = TfliteModel.fromBytes(tflite, fixture + ".tflite").primarySubgraph();
    java.util.Set<Integer> io = new java.util.HashSet<>();
    Arrays.stream(g.inputs()).forEach(io::add);
    Arrays.stream(g.outputs()).forEach(io::add);
    List<String> floats = g.tensors().stream().filter(t -> t.dtype().startsWith("FLOAT") && !io.contains(t.index()))
        .map(dev.compresso.tflite.TensorInfo::name).toList();
    assertEquals(List.of(), floats, "float tensors inside the int8 model");
    if (fixture.equals("int_variables")) {
      assertTrue(g.operators().stream().anyMatch(o -> o.op().equals("GATHER")), "GATHER kept in int8");
    }
    float worst = maxError(fixture, frozen, tflite);
    float largest = 0;
    for (float v : InputFormFixtures.arrays(fixture).get("y").values()) {
      largest = Math.max(largest, Math.abs(v));
    }
    System.out.printf("%s int8: max |tflite - tensorflow| %.4f (largest |y| %.3f)%n", fixture, worst, largest);
    assertTrue(worst < 0.05f * largest, fixture + " int8 error " + worst + " against outputs up to " + largest);
  }

  @Test
  void everyInputIsFedAtItsPlaceholder() {
    FrozenGraph two = Freezer.freeze(InputFormFixtures.model("two_inputs_tf2"));
    assertEquals(List.of("image", "vec"), two.inputs().stream().map(FrozenGraph.Input::key).toList());
    assertEquals(List.of(1L, 8L, 8L, 1L), Arrays.stream(two.inputs().get(0).shape()).boxed().toList());
    assertEquals(List.of(1L, 4L), Arrays.stream(two.inputs().get(1).shape()).boxed().toList());
    FrozenGraph tf1 = Freezer.freeze(InputFormFixtures.model("tf1_identity"));
    assertEquals("x", tf1.inputs().get(0).node(), "the Identity 'input' is followed to its Placeholder");
    FrozenGraph refs = Freezer.freeze(InputFormFixtures.model("tf1_refvars"));
    assertEquals(List.of("scale=scale", "x=x_ph"), refs.inputs().stream().map(i -> i.key() + "=" + i.node()).toList(),
        "a TF1 graph of ref variables: both inputs, x fed at the Placeholder behind its Identity");
  }

  @Test
  void integerVariablesAreConstantsOfTheirType() {
    ImportedModel model = ModelImporter.read(InputFormFixtures.model("int_variables"), "serve", "serving_default");
    assertEquals(List.of("b", "w"), model.variables().keySet().stream().sorted().toList(),
        "only the float variables are variables (trainable)");
    Map<String, DataType> constants = new LinkedHashMap<>();
    for (NodeDef n : model.graph().getNodeList()) {
      if (n.getOp().equals("Const") && (n.getName().equals("picks") || n.getName().equals("step"))) {
        constants.put(n.getName(), n.getAttrOrThrow("dtype").getType());
      }
    }
    assertEquals(Map.of("picks", DataType.DT_INT32, "step", DataType.DT_INT64), constants);
  }

  /**
   * Fine-tuning a model with integer variables: they stay constants of their type (never trained), the float
   * kernel is pruned, and the pruned model still converts with the gather by the int32 indices.
   */
  @Test
  void pruningKeepsIntegerVariablesConstant() {
    Map<String, NpyArray> ref = InputFormFixtures.arrays("int_variables");
    // 4 reference samples, repeated with their outputs, so that the 80/10/10 split has a sample in each part
    int copies = 8;
    float[] x = new float[copies * ref.get("x").values().length];
    float[] y = new float[copies * ref.get("y").values().length];
    for (int c = 0; c < copies; c++) {
      System.arraycopy(ref.get("x").values(), 0, x, c * ref.get("x").values().length, ref.get("x").values().length);
      System.arraycopy(ref.get("y").values(), 0, y, c * ref.get("y").values().length, ref.get("y").values().length);
    }
    dev.compresso.data.Dataset data = dev.compresso.data.Dataset.of("int_variables x8", x, new long[] {6}, y,
        new long[] {4}, 4 * copies);
    dev.compresso.prune.PruneConfig config = dev.compresso.prune.PruneConfig.builder(0.5).optMinParameters(1)
        .optFit(dev.compresso.train.FitConfig.builder().optEpochs(1).optBatchSize(8).build()).build();
    try (dev.compresso.api.CompressoModel model = dev.compresso.api.Compresso.load(InputFormFixtures.model("int_variables"));
        dev.compresso.api.CompressoModel pruned = model.prune(dev.compresso.api.Pruning.of(config), data)) {
      ImportedModel after = pruned.imported();
      assertEquals(List.of("b", "w"), after.variables().keySet().stream().sorted().toList());
      long zeros = 0;
      for (float v : after.variables().get("w").values()) {
        zeros += v == 0f ? 1 : 0;
      }
      assertEquals(18, zeros, "half of w's 36 values pruned");
      Map<String, DataType> constants = new LinkedHashMap<>();
      for (NodeDef n : after.graph().getNodeList()) {
        if (n.getOp().equals("Const") && (n.getName().equals("picks") || n.getName().equals("step"))) {
          constants.put(n.getName(), n.getAttrOrThrow("dtype").getType());
        }
      }
      assertEquals(Map.of("picks", DataType.DT_INT32, "step", DataType.DT_INT64), constants);
      byte[] tflite = pruned.convert(dev.compresso.api.Conversion.fp32()).bytes();
      assertTrue(TfliteModel.fromBytes(tflite, "pruned.tflite").primarySubgraph().operators().stream()
          .anyMatch(o -> o.op().equals("GATHER")));
    }
  }

  @Test
  void inputShapeMustNameOneOfSeveralInputs() {
    BadInputException e = assertThrows(BadInputException.class, () -> ModelImporter.read(
        InputFormFixtures.model("two_inputs_tf2"), "serve", "serving_default",
        ImportOptions.builder().optInputShape(InputShape.parse("1,4")).build()));
    assertTrue(e.getMessage().contains("has inputs image, vec; name the one --input-shape sets"), e.getMessage());
  }

  @Test
  void fineTuningRefusesSeveralInputsInOneLine() {
    ImportedModel model = ModelImporter.read(InputFormFixtures.model("two_inputs_tf2"), "serve", "serving_default");
    BadInputException e = assertThrows(BadInputException.class, () -> FineTuneChecks.require(model));
    assertEquals(InputFormFixtures.model("two_inputs_tf2") + ": fine-tuning (prune, qat, cluster) takes models with "
        + "one input; this model has inputs image, vec (convert and validate take it)", e.getMessage());
  }

  /** Runs every reference sample through {@code tflite}; the largest error against TensorFlow's {@code y}. */
  static float maxError(String fixture, FrozenGraph frozen, byte[] tflite) {
    Map<String, NpyArray> ref = InputFormFixtures.arrays(fixture);
    NpyArray y = ref.get("y");
    int samples = (int) y.shape()[0];
    int yPer = y.values().length / samples;
    float worst = 0;
    try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, fixture + ".tflite"),
        InterpreterOptions.defaults())) {
      assertEquals(frozen.inputs().size(), it.inputs().size(), "inputs of the .tflite");
      for (int s = 0; s < samples; s++) {
        float[][] feeds = new float[frozen.inputs().size()][];
        for (int i = 0; i < feeds.length; i++) {
          String key = frozen.inputs().get(i).key();
          NpyArray x = ref.get(key);
          int per = x.values().length / samples;
          // The .tflite's inputs come in the frozen graph's order (signature keys, sorted).
          feeds[i] = Arrays.copyOfRange(x.values(), s * per, (s + 1) * per);
        }
        float[] out = it.run(feeds)[0];
        float[] expected = Arrays.copyOfRange(y.values(), s * yPer, (s + 1) * yPer);
        assertEquals(expected.length, out.length);
        for (int k = 0; k < out.length; k++) {
          worst = Math.max(worst, Math.abs(out[k] - expected[k]));
        }
      }
    }
    return worst;
  }
}
