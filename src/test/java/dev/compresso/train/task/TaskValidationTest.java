package dev.compresso.train.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.api.Compresso;
import dev.compresso.api.CompressoModel;
import dev.compresso.api.Conversion;
import dev.compresso.api.Validating;
import dev.compresso.api.Validation;
import dev.compresso.data.Dataset;
import dev.compresso.data.NpzReader;
import dev.compresso.data.tfrecord.TfRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code validate} reads the reference's task as fine-tuning does: logits and TFRecord int64 labels. */
class TaskValidationTest {

  @TempDir
  Path tmp;

  @Test
  void validateScoresALogitsClassifierOnInt64LabelsWithCrossEntropyFromLogits() throws Exception {
    Dataset digits = NpzReader.read(TaskFiles.DIGITS).slice(0, 60);
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < digits.size(); i++) {
      Map<String, org.tensorflow.proto.Feature> f = new LinkedHashMap<>();
      f.put("image", TfRecords.floats(digits.inputs(), i * 64, 64));
      int label = 0;
      for (int c = 1; c < 10; c++) {
        label = digits.targets()[i * 10 + c] > digits.targets()[i * 10 + label] ? c : label;
      }
      f.put("label", TfRecords.int64s(label));
      records.add(TfRecords.example(f));
    }
    Path data = TfRecords.write(tmp.resolve("digits.tfrecord"), records);
    Path tflite = tmp.resolve("digits.tflite");
    try (CompressoModel m = Compresso.load(TaskFiles.DIGITS_LOGITS)) {
      m.convert(Conversion.fp32()).save(tflite, false);
    }
    Validation v = Compresso.validate(tflite, TaskFiles.DIGITS_LOGITS, data + "?x_shape=8,8,1", "serving_default",
        Validating.defaults().runs(1).warmup(0), null);
    // the loss the reference's logits give, computed here from its own predictions
    assertEquals("cce", v.result().tfliteQuality().loss());
    assertTrue(v.metric() > 0.9, "accuracy " + v.metric());
    assertEquals(v.referenceLoss(), v.loss(), 1e-4);
    assertTrue(v.loss() < 0.5, "cross-entropy from logits of a good classifier: " + v.loss());
  }
}
