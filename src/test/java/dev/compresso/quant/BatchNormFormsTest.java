package dev.compresso.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.model.Freezer;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.train.Predictor;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch norm in every form exporters write, after every conv-like op and after activations
 * ({@link BatchNormForms}): folded with the float function kept, then converted to full int8 with uint8
 * I/O by the real converter and run in the real interpreter.
 */
class BatchNormFormsTest {

  @TempDir
  Path tmp;

  @Test
  void foldsEveryFormAfterEveryConvLikeOpAndConvertsToInt8() {
    Path dir = tmp.resolve("cnn");
    BatchNormForms.exportCnn(dir, false);
    ImportedModel model = ModelImporter.read(dir, "serve", "serving_default");
    BatchNormFolding.Result r = BatchNormFolding.fold(model);
    // conv (Keras 3 bias + decomposed), depthwise (fused), pointwise (fused), transposed (AddV2 bias +
    // decomposed), dense (decomposed), and the fused batch norm alone after a ReLU.
    assertEquals(List.of("conv_convolution", "dw_depthwise", "pw_convolution", "up_conv_transpose",
        "dense_MatMul", "bn_alone/FusedBatchNormV3"),
        r.folds().stream().map(BatchNormFolding.Fold::weighted).sorted((a, b) -> order(a) - order(b)).toList(),
        r.folds().toString());
    Set<String> ops = new java.util.HashSet<>();
    r.model().graph().getNodeList().forEach(n -> ops.add(n.getOp()));
    assertTrue(!ops.contains("Rsqrt") && !ops.contains("FusedBatchNormV3"), "left: " + ops);
    QuantPlanner.defaults().plan(Freezer.freeze(r.model(), 1));

    Dataset data = data(24, new long[] {BatchNormForms.H, BatchNormForms.H, BatchNormForms.C}, 3);
    float[] before = predict(model, data);
    float[] after = predict(r.model(), data);
    assertTrue(maxAbs(before, after) <= 1e-4 * (1 + maxAbs(before, new float[before.length])),
        "folded vs unfolded " + maxAbs(before, after));

    dev.compresso.model.FrozenGraph frozen = Calibration.calibrate(Freezer.freeze(r.model(), 1), data,
        CalibrationOptions.defaults()).graph();
    byte[] tflite = Converter.convert(frozen, ConversionOptions.builder(Precision.INT8).optIo(IoType.UINT8).build());
    TfliteModel file = TfliteModel.fromBytes(tflite, "bn_forms.tflite");
    List<String> floats = file.primarySubgraph().tensors().stream().filter(t -> t.dtype().startsWith("FLOAT"))
        .map(TensorInfo::toString).toList();
    assertTrue(floats.isEmpty(), "float tensors in the int8 model: " + floats);
    double range = 0;
    double err = 0;
    try (TfliteInterpreter it = TfliteInterpreter.open(file, InterpreterOptions.defaults())) {
      int n = before.length / data.size();
      for (int i = 0; i < data.size(); i++) {
        float[] out = it.run(data.slice(i, i + 1).inputs())[0];
        for (int j = 0; j < n; j++) {
          range = Math.max(range, Math.abs(before[i * n + j]));
          err = Math.max(err, Math.abs(out[j] - before[i * n + j]));
        }
      }
    }
    // Five quantized layers deep: a few output steps of 1/255 of the range.
    assertTrue(err <= 0.1 * range, "int8 max abs error " + err + " for outputs up to " + range);
  }

  @Test
  void foldsConv1dThroughItsSqueeze() {
    Path dir = tmp.resolve("conv1d");
    BatchNormForms.exportConv1d(dir);
    ImportedModel model = ModelImporter.read(dir, "serve", "serving_default");
    BatchNormFolding.Result r = BatchNormFolding.fold(model);
    assertEquals(1, r.folds().size(), r.folds().toString());
    assertEquals("c1_kernel", r.folds().get(0).kernel());
    assertEquals(List.of(3L, 3L, 6L), java.util.Arrays.stream(r.model().variables().get("c1_kernel").shape())
        .boxed().toList());
    Dataset data = data(8, new long[] {12, BatchNormForms.C}, 4);
    float[] before = predict(model, data);
    float[] after = predict(r.model(), data);
    assertTrue(maxAbs(before, after) <= 1e-5 * (1 + maxAbs(before, new float[before.length])),
        "folded vs unfolded " + maxAbs(before, after));
    assertTrue(Calibration.calibrate(Freezer.freeze(r.model(), 1), data, CalibrationOptions.defaults()).graph()
        .hasFakeQuant());
  }

  @Test
  void aBatchNormInTrainingModeIsRefusedByName() {
    Path dir = tmp.resolve("training");
    BatchNormForms.exportCnn(dir, true);
    ImportedModel model = ModelImporter.read(dir, "serve", "serving_default");
    BadInputException e = assertThrows(BadInputException.class, () -> BatchNormFolding.fold(model));
    assertTrue(e.getMessage().contains("bn2/FusedBatchNormV3") && e.getMessage().contains("is_training")
        && e.getMessage().contains("training=False"), e.getMessage());
  }

  @Test
  void qatAndInt16x8FoldEveryFormToo() {
    Path dir = tmp.resolve("cnn_qat");
    BatchNormForms.exportCnn(dir, false);
    Dataset inputs = data(40, new long[] {BatchNormForms.H, BatchNormForms.H, BatchNormForms.C}, 8);
    try (dev.compresso.api.CompressoModel model = dev.compresso.api.Compresso.load(dir)) {
      float[] targets = predict(model.imported(), inputs);
      Dataset data = Dataset.of("random", inputs.inputs(), inputs.inputShape(), targets, new long[] {4}, 40);
      dev.compresso.api.TfliteFile int16 = model.convert(dev.compresso.api.Conversion.int16x8().calibrateWith(data));
      assertTrue(int16.model().primarySubgraph().tensors().stream().anyMatch(t -> t.dtype().equals("INT16")));
      dev.compresso.api.CompressoModel qat = model.qat(dev.compresso.api.Qat.epochs(1).batchSize(8).loss("mse"), data);
      // Five conv-like folds and the fused batch norm alone; the decomposed one after the ReLU6 is a Mul/Add.
      assertEquals(6, qat.qatReport().orElseThrow().foldedBatchNorms());
      dev.compresso.api.TfliteFile int8 = qat.convert(dev.compresso.api.Conversion.int8().io(IoType.UINT8));
      List<String> floats = int8.model().primarySubgraph().tensors().stream()
          .filter(t -> t.dtype().startsWith("FLOAT")).map(TensorInfo::toString).toList();
      assertTrue(floats.isEmpty(), "float tensors in the QAT int8 model: " + floats);
    }
  }

  @Test
  void aFoldStopsAtAModelOutputAndKeepsEveryOutput() {
    Path dir = tmp.resolve("observed");
    BatchNormForms.exportObservedChain(dir);
    ImportedModel model = ModelImporter.read(dir, "serve", "serving_default");
    assertEquals(4, model.outputs().size());
    BatchNormFolding.Result r = BatchNormFolding.fold(model);
    Dataset data = data(4, new long[] {BatchNormForms.H, BatchNormForms.H, BatchNormForms.C}, 5);
    for (dev.compresso.model.FrozenGraph.Output o : model.outputs()) {
      float[] before = run(model, o.tensor(), data);
      float[] after = run(r.model(), o.tensor(), data);
      assertTrue(maxAbs(before, after) <= 1e-5 * (1 + maxAbs(before, new float[before.length])),
          o.key() + ": folded vs unfolded " + maxAbs(before, after));
    }
  }

  /**
   * Keras' adapted Normalization, {@code (x - mean) / max(sqrt(variance), eps)} over statistics variables: the
   * division becomes a multiplication by a folded reciprocal (TFLite has no int8 DIV; QAT, which keeps variables,
   * refused it as "normalization/truediv (Div) has no int8 form"), with the float function kept, and QAT plans it.
   */
  @Test
  void aKerasNormalizationsDivisionBecomesAMultiplication() {
    ImportedModel model = dev.compresso.model.keras.KerasImporter.read(
        dev.compresso.model.keras.KerasFiles.file("operations.keras"));
    BatchNormFolding.Result r = BatchNormFolding.fold(model);
    List<String> divisions = r.model().graph().getNodeList().stream()
        .filter(n -> n.getOp().equals("RealDiv") || n.getOp().equals("Div")).map(n -> n.getName())
        .filter(n -> n.startsWith("norm")).toList();
    // (divisions by a plain constant, hard_sigmoid's / 6, are left to ConstantOperands, as before)
    assertTrue(divisions.isEmpty(), "left: " + divisions);
    assertTrue(r.model().variables().containsKey("norm/truediv/folded_reciprocal"), r.model().variables().keySet()
        .toString());
    Dataset data = data(6, new long[] {6, 6, 3}, 9);
    float[] before = predict(model, data);
    float[] after = predict(r.model(), data);
    assertTrue(maxAbs(before, after) <= 1e-5 * (1 + maxAbs(before, new float[before.length])),
        "folded vs unfolded " + maxAbs(before, after));
  }

  private static float[] run(ImportedModel m, String tensor, Dataset data) {
    try (ModelSession s = new ModelSession(m, v -> false);
        org.tensorflow.types.TFloat32 x = dev.compresso.train.Tensors.of(data.inputs(), data.size(),
            BatchNormForms.H, BatchNormForms.H, BatchNormForms.C);
        org.tensorflow.Result r = s.session().runner().feed(m.inputTensor(), x).fetch(tensor).run()) {
      return dev.compresso.train.Tensors.read(r.get(0));
    }
  }

  private static int order(String weighted) {
    return List.of("conv", "dw_", "pw_", "up_", "dense", "bn_alone").stream()
        .filter(weighted::startsWith).findFirst().map(p -> List.of("conv", "dw_", "pw_", "up_", "dense", "bn_alone")
            .indexOf(p)).orElse(99);
  }

  static Dataset data(int n, long[] shape, long seed) {
    Random rnd = new Random(seed);
    int per = (int) Dataset.elements(shape);
    float[] x = new float[n * per];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextFloat() * 2 - 1;
    }
    return Dataset.of("random", x, shape, new float[n], new long[] {1}, n);
  }

  static float[] predict(ImportedModel m, Dataset data) {
    try (ModelSession s = new ModelSession(m, v -> false)) {
      return Predictor.predict(s.session(), s.trainable(), data, 4);
    }
  }

  static double maxAbs(float[] a, float[] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }
}
