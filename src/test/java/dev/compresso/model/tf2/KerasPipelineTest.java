package dev.compresso.model.tf2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.data.Dataset;
import dev.compresso.data.NpzReader;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.KerasFixtures;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.prune.PruneConfig;
import dev.compresso.prune.Pruner;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.tflite.convert.ConversionOptions;
import dev.compresso.tflite.convert.Converter;
import dev.compresso.tflite.convert.Precision;
import dev.compresso.train.FitConfig;
import dev.compresso.train.Predictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keras fixtures through the TF1 pipeline after flattening: every fixture frozen straight from its
 * directory and converted to fp32, the .tflite against TensorFlow's reference output; and the UNet
 * (Conv2D + unfused BatchNorm, Conv2DTranspose, skips) pruned to 50% for one short epoch, frozen,
 * converted and run in the real interpreter against TF Java's output of the pruned model.
 */
class KerasPipelineTest {

  @ParameterizedTest
  @CsvSource({"cnn_classifier, keras_export", "conv1d, keras_export", "mixed_ops, keras_export",
      "dense_ae, tf_saved_model"})
  void frozenKerasExportConvertsAndMatchesTensorFlow(String fixture, String flavour) {
    FrozenGraph frozen = Freezer.freeze(KerasFixtures.dir(fixture, flavour));
    byte[] tflite = Converter.convert(frozen, ConversionOptions.of(Precision.FP32));
    Dataset reference = NpzReader.read(KerasFixtures.dir(fixture, "reference.npz"));
    int perSample = reference.targets().length / reference.size();
    float worst = 0;
    try (TfliteInterpreter interpreter = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, fixture + ".tflite"),
        InterpreterOptions.defaults())) {
      for (int s = 0; s < reference.size(); s++) {
        float[] actual = interpreter.run(reference.slice(s, s + 1).inputs())[0];
        assertEquals(perSample, actual.length);
        for (int i = 0; i < perSample; i++) {
          worst = Math.max(worst, Math.abs(reference.targets()[s * perSample + i] - actual[i]));
        }
      }
    }
    System.out.printf("%s/%s: fp32 .tflite %d bytes, max |tflite - reference| %.3g%n", fixture, flavour,
        tflite.length, worst);
    assertTrue(worst <= 1e-5f, fixture + ": max abs diff " + worst);
  }

  /**
   * Full integer from calibration on every fixture (GlobalAveragePooling's Mean, Conv1D's ExpandDims kernel,
   * LeakyReLU, ZeroPadding, hard_swish's division, BatchNorm): int8 within 5% of the output range of
   * TensorFlow's reference, int16x8 closer on average. Measured: int8 0.2-2.9%, int16x8 0.1-1.6%.
   */
  @ParameterizedTest
  @CsvSource({"cnn_classifier, keras_export", "conv1d, keras_export", "dense_ae, tf_saved_model",
      "mixed_ops, keras_export", "unet_bn, keras_export"})
  void calibratedInt8AndInt16x8OfEveryFixtureTrackTensorFlow(String fixture, String flavour) {
    Dataset reference = NpzReader.read(KerasFixtures.dir(fixture, "reference.npz"));
    dev.compresso.tflite.ReferenceErrors[] errors = new dev.compresso.tflite.ReferenceErrors[2];
    Precision[] precisions = {Precision.INT8, Precision.INT16X8};
    try (dev.compresso.api.CompressoModel m = dev.compresso.api.Compresso.load(KerasFixtures.dir(fixture, flavour))) {
      for (int k = 0; k < 2; k++) {
        byte[] tflite = m.convert(dev.compresso.api.Conversion.of(precisions[k]).calibrateWith(reference)).bytes();
        errors[k] = dev.compresso.tflite.ReferenceErrors.of(tflite, reference, fixture);
        System.out.printf("%s: %s %s%n", fixture, precisions[k].cliName(), errors[k]);
        assertTrue(errors[k].worstShare() <= 0.05, fixture + " " + precisions[k].cliName() + ": " + errors[k]);
      }
    }
    assertTrue(errors[1].mean() < errors[0].mean(), fixture + ": int16x8 " + errors[1] + " vs int8 " + errors[0]);
  }

  /** QAT trains hard_swish's division by 6 as a multiplication (no int8 DIV), so mixed_ops can be planned. */
  @Test
  void qatPreparesHardSwishsDivisionAsAMultiplication() {
    ImportedModel m = ModelImporter.read(KerasFixtures.dir("mixed_ops", "keras_export"), "serve", "serving_default");
    assertTrue(m.graph().getNodeList().stream().anyMatch(n -> n.getOp().equals("RealDiv")), "the fixture divides");
    dev.compresso.qat.Qat.Prepared p = dev.compresso.qat.Qat.prepare(m,
        dev.compresso.data.DataSources.openSource(KerasFixtures.dir("mixed_ops", "reference.npz").toString()),
        dev.compresso.qat.QatConfig.builder().build());
    assertTrue(p.folded().model().graph().getNodeList().stream().noneMatch(n -> n.getOp().equals("RealDiv")));
    assertTrue(p.plan().weights().size() >= 3, p.plan().weights().toString());
  }

  /** Conv1D's kernel, a 3-D variable expanded per call, is stored as the 4-D kernel its Conv2D reads. */
  @Test
  void qatPlansConv1DKernelsAsTheKernelsTheirConv2DReads() {
    ImportedModel m = ModelImporter.read(KerasFixtures.dir("conv1d", "keras_export"), "serve", "serving_default");
    assertEquals(3, m.variables().get("conv1/kernel").shape().length);
    dev.compresso.qat.Qat.Prepared p = dev.compresso.qat.Qat.prepare(m,
        dev.compresso.data.DataSources.openSource(KerasFixtures.dir("conv1d", "reference.npz").toString()),
        dev.compresso.qat.QatConfig.builder().build());
    assertEquals(4, p.folded().model().variables().get("conv1/kernel").shape().length);
    assertTrue(p.plan().weights().stream().anyMatch(w -> w.constNode().equals("conv1/kernel")), p.plan().weights().toString());
    // The same function: TensorFlow runs the rewritten model to the fixture's reference output.
    Dataset reference = NpzReader.read(KerasFixtures.dir("conv1d", "reference.npz"));
    float[] expected = reference.targets();
    float[] actual;
    try (ModelSession session = new ModelSession(dev.compresso.quant.ExpandedKernels.apply(m), v -> false)) {
      actual = Predictor.predict(session.session(), session.trainable(), reference, 8);
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5, "output " + i);
    }
  }

  @Test
  void importedKerasUNetPrunesConvertsAndRunsInTflite() {
    ImportedModel keras = ModelImporter.read(KerasFixtures.dir("unet_bn", "keras_export"), "serve",
        "serving_default");
    Dataset train = SyntheticShapes.generate(16, 64, 1);
    Dataset test = SyntheticShapes.generate(4, 64, 2);
    PruneConfig config = PruneConfig.builder(0.5)
        .optFit(FitConfig.builder().optEpochs(1).optBatchSize(8).optSeed(1).build()).build();
    Pruner.Result pruned = Pruner.prune(keras, train, null, test, config, null);
    System.out.printf("pruned %d kernels to sparsity %.3f (overall %.3f)%n", pruned.report().layers().size(),
        pruned.report().prunedSparsity(), pruned.report().overallSparsity());
    assertTrue(pruned.report().layers().size() >= 10, "kernels pruned: " + pruned.report().layers().size());
    assertTrue(pruned.report().prunedSparsity() >= 0.49, "sparsity " + pruned.report().prunedSparsity());
    assertEquals(keras.variables().keySet(), pruned.stripped().variables().keySet());

    Dataset one = test.slice(0, 1);
    float[] expected;
    try (ModelSession session = new ModelSession(pruned.stripped(), v -> false)) {
      expected = Predictor.predict(session.session(), session.trainable(), one, 1);
    }
    FrozenGraph frozen = Freezer.freeze(pruned.stripped(), 1);
    byte[] tflite = Converter.convert(frozen, ConversionOptions.of(Precision.FP32));
    float[] actual;
    try (TfliteInterpreter interpreter = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, "unet_bn.tflite"),
        InterpreterOptions.defaults())) {
      actual = interpreter.run(one.inputs())[0];
    }
    assertEquals(expected.length, actual.length);
    float worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    System.out.printf("fp32 .tflite %d bytes, max |tflite - tf| %.3g%n", tflite.length, worst);
    assertTrue(worst <= 1e-4f, "max abs diff " + worst);
  }
}
