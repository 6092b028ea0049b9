package dev.compresso.train.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.data.BatchStream;
import dev.compresso.data.Dataset;
import dev.compresso.data.NpzReader;
import dev.compresso.data.SampleSource;
import dev.compresso.data.tfrecord.TfRecords;
import dev.compresso.model.ImportedModel;
import dev.compresso.train.loss.BinaryCrossEntropy;
import dev.compresso.train.loss.CategoricalCrossEntropy;
import dev.compresso.train.loss.Losses;
import dev.compresso.train.metric.TaskKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolving a model's task: from its compile config, its output op, its targets; labels in every form. */
class ModelTaskTest {

  @TempDir
  Path tmp;

  private static ImportedModel load(Path model) {
    try (CompressoModel m = Compresso.load(model)) {
      return m.imported();
    }
  }

  @Test
  void logitsClassifierTrainsWithCrossEntropyFromLogitsReadFromTheGraph() {
    ModelTask task = ModelTask.resolve(load(TaskFiles.DIGITS_LOGITS), NpzReader.read(TaskFiles.DIGITS), Losses.AUTO);
    assertEquals(OutputKind.LOGITS, task.output().kind());
    assertTrue(task.loss() instanceof CategoricalCrossEntropy c && c.fromLogits(), task.describe());
    assertTrue(task.lossOrigin().contains("BiasAdd"), task.lossOrigin());
    assertEquals(TaskKind.CLASSIFICATION, task.kind());
    assertEquals("accuracy", task.metric().name());
    assertNull(task.labels(), "the npz reader already made the int labels one-hot with 10 columns");
    // --loss cce on a logits output is cross-entropy from logits, and says so
    ModelTask named = ModelTask.resolve(load(TaskFiles.DIGITS_LOGITS), NpzReader.read(TaskFiles.DIGITS), "cce");
    assertTrue(named.loss() instanceof CategoricalCrossEntropy c && c.fromLogits());
    assertTrue(named.lossOrigin().startsWith("--loss cce (from logits"), named.lossOrigin());
  }

  @Test
  void int64LabelsOfATfRecordAreClassIndicesOneHotPerBatch() throws IOException {
    Dataset digits = NpzReader.read(TaskFiles.DIGITS).slice(0, 40);
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < digits.size(); i++) {
      Map<String, org.tensorflow.proto.Feature> f = new LinkedHashMap<>();
      f.put("image", TfRecords.floats(digits.inputs(), i * 64, 64));
      f.put("label", TfRecords.int64s(argMax(digits.targets(), i * 10, 10)));
      records.add(TfRecords.example(f));
    }
    Path file = TfRecords.write(tmp.resolve("digits.tfrecord"), records);
    SampleSource data = Compresso.data(file + "?x_shape=8,8,1");
    assertArrayEquals(new long[] {1}, data.targetShape());
    ModelTask task = ModelTask.resolve(load(TaskFiles.DIGITS_LOGITS), data, Losses.AUTO);
    assertEquals(ClassIndexTargets.Form.INDICES, task.labels());
    SampleSource adapted = task.adapt(data);
    assertArrayEquals(new long[] {10}, adapted.targetShape());
    try (BatchStream b = adapted.stream(40, null, false)) {
      float[] y = b.next().y();
      assertArrayEquals(digits.targets(), y);
    }
  }

  @Test
  void labelsBeyondTheOutputsClassesAreRefusedNamingBoth() {
    float[] x = new float[4 * 64];
    Dataset data = Dataset.of("labels.npz", x, new long[] {8, 8, 1}, new float[] {1, 12, 3, 0}, new long[] {1}, 4);
    BadInputException e = assertThrows(BadInputException.class,
        () -> ModelTask.resolve(load(TaskFiles.DIGITS_LOGITS), data, Losses.AUTO));
    assertTrue(e.getMessage().contains("labels.npz") && e.getMessage().contains("class 12")
        && e.getMessage().contains("10 classes"), e.getMessage());
    // one-hot labels of 12 classes for 10 outputs
    Dataset wide = Dataset.of("wide.npz", x, new long[] {8, 8, 1}, new float[4 * 12], new long[] {12}, 4)
        .withClassNames(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"));
    e = assertThrows(BadInputException.class, () -> ModelTask.resolve(load(TaskFiles.DIGITS_LOGITS), wide, Losses.AUTO));
    assertTrue(e.getMessage().contains("12 classes") && e.getMessage().contains("scores 10"), e.getMessage());
  }

  @Test
  void oneHotLabelsMissingTheLastClassesArePadded() {
    float[] y = new float[3 * 8];
    y[2] = 1;
    y[8 + 7] = 1;
    y[16] = 1;
    Dataset data = Dataset.of("narrow.npz", new float[3 * 64], new long[] {8, 8, 1}, y, new long[] {8}, 3)
        .withClassNames(List.of("0", "1", "2", "3", "4", "5", "6", "7"));
    ModelTask task = ModelTask.resolve(load(TaskFiles.DIGITS_LOGITS), data, Losses.AUTO);
    assertEquals(ClassIndexTargets.Form.NARROW_ONE_HOT, task.labels());
    Dataset head = task.adapt(data).head(3);
    assertArrayEquals(new long[] {10}, head.targetShape());
    assertEquals(1f, head.targets()[2]);
    assertEquals(1f, head.targets()[10 + 7]);
    assertEquals(1f, head.targets()[20]);
  }

  @Test
  void integerLabelsForAOneValueOutputAreRefused() {
    // a one-value output: the Keras Conv1D regressor (exported by model.export)
    ImportedModel regressor = load(Path.of("src/test/resources/fixtures/keras/conv1d/keras_export"));
    long[] in = Arrays.copyOfRange(inputShape(regressor), 1, inputShape(regressor).length);
    int per = (int) Dataset.elements(in);
    Dataset labels = Dataset.of("ints.npz", new float[3 * per], in, new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1},
        new long[] {3}, 3).withClassNames(List.of("0", "1", "2"));
    BadInputException e = assertThrows(BadInputException.class, () -> ModelTask.resolve(regressor, labels, Losses.AUTO));
    assertTrue(e.getMessage().contains("integer class labels (3 classes)") && e.getMessage().contains("one value"),
        e.getMessage());
  }

  @Test
  void aRegressionsMetricReadsTheOutputValueNotItsSigmoid() {
    // the Conv1D regressor's one-value Dense output has no activation: with real-valued targets it is a value
    ImportedModel regressor = load(Path.of("src/test/resources/fixtures/keras/conv1d/keras_export"));
    long[] in = Arrays.copyOfRange(inputShape(regressor), 1, inputShape(regressor).length);
    int per = (int) Dataset.elements(in);
    Dataset values = Dataset.of("values.npz", new float[3 * per], in, new float[] {12.5f, -3f, 40f}, new long[] {1}, 3);
    ModelTask task = ModelTask.resolve(regressor, values, Losses.AUTO);
    assertEquals(TaskKind.REGRESSION, task.kind(), task.describe());
    var mae = task.metricsOfOutputs().get(0);
    assertEquals("mae", mae.name());
    assertEquals(2.5, mae.sample(new float[] {12.5f}, new float[] {10f}, 0, new long[] {1}), 1e-6);
  }

  @Test
  void imagesAloneThatTheTeacherCannotTakeAreRefused() {
    Dataset images = Dataset.of("small.npz", new float[3 * 16], new long[] {4, 4, 1}, new float[0], new long[] {0}, 3);
    BadInputException e = assertThrows(BadInputException.class,
        () -> ModelTask.resolve(load(TaskFiles.DIGITS_LOGITS), images, Losses.AUTO));
    assertTrue(e.getMessage().contains("the teacher") && e.getMessage().contains("[8, 8, 1]")
        && e.getMessage().contains("[4, 4, 1]"), e.getMessage());
  }

  @Test
  void argMaxHeadTrainsTheScoresBeforeItAgainstClassMaps() {
    ImportedModel seg = load(TaskFiles.SEG_ARGMAX);
    ModelTask task = ModelTask.resolve(seg, NpzReader.read(TaskFiles.SEG), Losses.AUTO);
    assertTrue(task.output().hasIntegerHead());
    assertEquals("classes", task.output().integerHead());
    assertEquals("head/bias_add:0", task.output().trainTensor());
    assertEquals(TaskKind.SEGMENTATION, task.kind());
    assertEquals("mean-dice", task.metric().name());
    assertEquals(ClassIndexTargets.Form.INDICES, task.labels());
    assertTrue(task.loss() instanceof CategoricalCrossEntropy c && c.fromLogits());
    assertEquals("head/bias_add:0", task.trainingView(seg).outputTensor());
    assertEquals(seg.outputTensor(), task.withHead(seg, task.trainingView(seg)).outputTensor());
  }

  @Test
  void kerasCompileConfigGivesTheLossItsArgumentsAndSaysWhere() throws IOException {
    // unet.keras and unet.h5 were compiled by Keras with loss="binary_crossentropy"
    for (String f : new String[] {"unet.keras", "unet.h5"}) {
      ImportedModel unet = load(dev.compresso.model.keras.KerasFiles.file(f));
      long[] in = Arrays.copyOfRange(inputShape(unet), 1, inputShape(unet).length);
      int per = (int) Dataset.elements(in);
      float[] mask = new float[2 * per];
      mask[3] = 1;
      Dataset data = Dataset.of("masks", new float[2 * per], in, mask, in, 2);
      ModelTask task = ModelTask.resolve(unet, data, Losses.AUTO);
      assertTrue(task.loss() instanceof BinaryCrossEntropy b && !b.fromLogits(), f + ": " + task.describe());
      assertTrue(task.lossOrigin().contains("compile config of " + f), task.lossOrigin());
    }
    // a serialized loss with arguments, written into dense_sequential.keras (Dense(2) logits)
    Path withLoss = compiled("{\"module\": \"keras.losses\", \"class_name\": \"CategoricalCrossentropy\", "
        + "\"config\": {\"name\": \"categorical_crossentropy\", \"from_logits\": true, \"label_smoothing\": 0.1}, "
        + "\"registered_name\": null}");
    ImportedModel m = load(withLoss);
    Dataset twoClasses = twoClassData(m);
    ModelTask task = ModelTask.resolve(m, twoClasses, Losses.AUTO);
    assertTrue(task.loss() instanceof CategoricalCrossEntropy c && c.fromLogits() && c.labelSmoothing() == 0.1,
        task.describe());
    assertTrue(task.describe().contains("from the compile config of model.keras (CategoricalCrossentropy)"),
        task.describe());
    // a custom loss: named, and the graph decides
    Path custom = compiled("{\"module\": null, \"class_name\": \"FocalLoss\", \"config\": {}, "
        + "\"registered_name\": \"my_losses>FocalLoss\"}");
    ModelTask fallback = ModelTask.resolve(load(custom), twoClasses, Losses.AUTO);
    assertTrue(fallback.notes().get(0).contains("'my_losses>FocalLoss', which Compresso does not have"),
        fallback.notes().toString());
    assertTrue(fallback.lossOrigin().startsWith("the graph"), fallback.lossOrigin());
  }

  private Dataset twoClassData(ImportedModel m) {
    long[] in = Arrays.copyOfRange(inputShape(m), 1, inputShape(m).length);
    int per = (int) Dataset.elements(in);
    return Dataset.of("two", new float[2 * per], in, new float[] {1, 0, 0, 1}, new long[] {2}, 2);
  }

  private Path compiled(String lossJson) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "k");
    Path out = dir.resolve("model.keras");
    try (ZipFile in = new ZipFile(dev.compresso.model.keras.KerasFiles.file("dense_sequential.keras").toFile());
        ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
      for (ZipEntry e : java.util.Collections.list(in.entries())) {
        byte[] bytes = in.getInputStream(e).readAllBytes();
        if (e.getName().equals("config.json")) {
          com.google.gson.JsonObject c = com.google.gson.JsonParser.parseString(
              new String(bytes, StandardCharsets.UTF_8)).getAsJsonObject();
          com.google.gson.JsonObject compile = new com.google.gson.JsonObject();
          compile.add("loss", com.google.gson.JsonParser.parseString(lossJson));
          c.add("compile_config", compile);
          bytes = c.toString().getBytes(StandardCharsets.UTF_8);
        }
        zip.putNextEntry(new ZipEntry(e.getName()));
        zip.write(bytes);
        zip.closeEntry();
      }
    }
    return out;
  }

  private static long[] inputShape(ImportedModel m) {
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      g.importGraphDef(m.graph());
      return g.output(m.inputTensor()).shape().asArray();
    }
  }

  private static long argMax(float[] v, int base, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (v[base + i] > v[base + best]) {
        best = i;
      }
    }
    return best;
  }

}
