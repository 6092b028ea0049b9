package dev.compresso.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.cli.Main;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.model.SavedModelExporter;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.train.FitConfig;
import dev.compresso.train.Predictor;
import dev.compresso.zoo.UNet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/** QAT on a tiny UNet: CLI round trip to a full-integer .tflite with no calibration data, ranges, sparsity. */
class QatTest {

  static final UNet TINY = new UNet(32, 1, 4, 2);
  static final String DATA = "synthetic:shapes?n=40&size=32&seed=5";

  @TempDir static Path tmp;
  static Path model;

  @BeforeAll
  static void export() {
    model = tmp.resolve("float");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      UNet.Built built = TINY.build(g, 3);
      built.store().assign(s, built.initialValues());
      Signature sig = Signature.builder("serving_default").input(UNet.INPUT_NAME, built.model().input())
          .output(UNet.OUTPUT_NAME, built.model().output()).build();
      SavedModelExporter.export(s, sig, model, true);
    }
  }

  @Test
  void qatThenConvertWithoutCalibrationDataIsFullIntegerAndMatchesTensorFlow() throws Exception {
    Path out = tmp.resolve("qat");
    Run q = run("qat", model.toString(), "--data", DATA, "--epochs", "1", "--batch", "4",
        "--calibration-samples", "8", "--out", out.toString());
    assertEquals(0, q.exit(), q.err());
    assertTrue(Files.isRegularFile(out.resolve(QatOutput.REPORT_FILE)));
    Path tflite = tmp.resolve("qat-int8.tflite");
    // Converter.convert runs OutputCheck: a tensor left float under --precision int8 fails the command.
    Run c = run("convert", out.toString(), "--precision", "int8", "--io", "int8", "--out", tflite.toString());
    assertEquals(0, c.exit(), c.err());

    ImportedModel qat = ModelImporter.read(out, "serve", "serving_default");
    assertTrue(qat.graph().getNodeList().stream().anyMatch(n -> n.getOp().equals("FakeQuantWithMinMaxVarsPerChannel")));
    Dataset held = DataSources.open("synthetic:shapes?n=3&size=32&seed=11");
    float[] expected;
    try (ModelSession s = new ModelSession(qat, v -> false)) {
      expected = Predictor.predict(s.session(), s.trainable(), held, 1);
    }
    int per = 32 * 32;
    double worst = 0;
    try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.read(tflite), InterpreterOptions.defaults())) {
      for (int i = 0; i < held.size(); i++) {
        float[] x = Arrays.copyOfRange(held.inputs(), i * per, (i + 1) * per);
        float[] y = it.run(x)[0];
        for (int j = 0; j < per; j++) {
          worst = Math.max(worst, Math.abs(y[j] - expected[i * per + j]));
        }
      }
    }
    // Both run the same quantized function; rounding of int32 requantization differs by a few 1/256 steps.
    assertTrue(worst <= 8.0 / 256, "TFLite int8 vs TF fake-quant graph: max abs diff " + worst);
  }

  @Test
  void rangesAreCalibratedThenMovedOnlyByTheMovingAverage() {
    ImportedModel m = ModelImporter.read(model, "serve", "serving_default");
    Dataset data = DataSources.open(DATA);
    QatConfig noTraining = QatConfig.builder().optFit(FitConfig.builder().optEpochs(0).optBatchSize(4).build())
        .optCalibrationSamples(8).build();
    QatReport still = Qat.run(m, data, null, data, noTraining, null).report();
    for (QatReport.Range r : still.ranges()) {
      assertEquals(r.calibratedMin(), r.min(), r.node());
      assertEquals(r.calibratedMax(), r.max(), r.node());
    }
    double decay = 0.9;
    QatConfig oneEpoch = QatConfig.builder().optFit(FitConfig.builder().optEpochs(1).optBatchSize(4).build())
        .optCalibrationSamples(8).optEmaDecay(decay).optLearningRate(1e-3f).build();
    QatReport moved = Qat.run(m, data, null, data, oneEpoch, null).report();
    int changed = 0;
    for (QatReport.Range r : moved.ranges()) {
      // An EMA keeps at least decay^steps of the calibrated value: it cannot jump arbitrarily far.
      double keep = Math.pow(decay, moved.steps());
      assertTrue(Float.isFinite(r.min()) && Float.isFinite(r.max()) && r.min() < r.max(), r.toString());
      if (r.min() != r.calibratedMin() || r.max() != r.calibratedMax()) {
        changed++;
      }
      assertTrue(keep > 0);
    }
    assertTrue(changed > moved.ranges().size() / 2, "the moving averages ran: " + changed + " of "
        + moved.ranges().size() + " ranges changed");
    assertTrue(moved.steps() > 0);
  }

  @Test
  void zerosOfASparseKernelStayZero() {
    ImportedModel m = ModelImporter.read(model, "serve", "serving_default");
    Map<String, ImportedModel.VariableValue> values = new LinkedHashMap<>(m.variables());
    String kernel = values.keySet().stream().filter(k -> k.contains("enc1_conv1") && k.endsWith("kernel"))
        .findFirst().orElseThrow(() -> new AssertionError("no enc1_conv1 kernel in " + values.keySet()));
    float[] w = values.get(kernel).values().clone();
    for (int i = 0; i < w.length; i++) {
      if (i % 5 != 0) {
        w[i] = 0f;
      }
    }
    values.put(kernel, new ImportedModel.VariableValue(values.get(kernel).shape(), w));
    ImportedModel sparse = m.with(m.graph(), values);
    Dataset data = DataSources.open(DATA);
    QatConfig config = QatConfig.builder().optFit(FitConfig.builder().optEpochs(1).optBatchSize(4).build())
        .optCalibrationSamples(8).optLearningRate(1e-2f).build();
    Qat.Result r = Qat.run(sparse, data, null, data, config, null);
    assertEquals(1, r.report().masked().size(), r.report().masked().toString());
    float[] out = r.inference().variables().get(kernel).values();
    for (int i = 0; i < w.length; i++) {
      if (w[i] == 0f) {
        assertEquals(0f, out[i], "element " + i);
      }
    }
    assertFalse(Arrays.equals(w, out), "the kept weights were trained");
  }

  @Test
  void badInputIsExitTwoWithOneLine() {
    Run wrong = run("qat", model.toString(), "--data", "synthetic:shapes?n=8&size=16", "--out",
        tmp.resolve("wrong").toString());
    assertEquals(2, wrong.exit(), wrong.err());
    assertTrue(wrong.err().contains("[16, 16, 1]"), wrong.err());
    assertFalse(Files.exists(tmp.resolve("wrong")));
    Run missing = run("qat", tmp.resolve("nope").toString(), "--data", DATA, "--out", tmp.resolve("o").toString());
    assertEquals(2, missing.exit(), missing.err());
    Run badLr = run("qat", model.toString(), "--data", DATA, "--learning-rate", "-1", "--out",
        tmp.resolve("o2").toString());
    assertEquals(2, badLr.exit(), badLr.err());
    assertTrue(badLr.err().contains("--learning-rate"), badLr.err());
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
