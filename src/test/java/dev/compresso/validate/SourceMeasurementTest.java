package dev.compresso.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.compresso.data.Dataset;
import dev.compresso.data.NpzReader;
import dev.compresso.train.task.TaskFiles;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The source model's row (a sweep's or compress's baseline) scores with the loss validate uses: a logits
 * classifier's cross-entropy from its logits, not from its logits read as probabilities (which once gave 9.1
 * for a MobileNetV3 whose validate rows said 0.26, and made --max-loss-increase meaningless).
 */
class SourceMeasurementTest {

  @Test
  void aLogitsClassifiersBaselineLossIsTheCrossEntropyOfItsSoftmax() {
    Dataset d = NpzReader.read(TaskFiles.DIGITS).head(60);
    SourceMeasurement m = SourceMeasurement.measure(TaskFiles.DIGITS_LOGITS, "serving_default", d, "digits.npz", 1, 1,
        0, line -> { });
    double ce = 0;
    try (ReferenceModel ref = ReferenceModel.open(TaskFiles.DIGITS_LOGITS, "serving_default", 1)) {
      int per = (int) Dataset.elements(d.inputShape());
      long[] shape = new long[d.inputShape().length + 1];
      shape[0] = 1;
      System.arraycopy(d.inputShape(), 0, shape, 1, d.inputShape().length);
      for (int s = 0; s < d.size(); s++) {
        float[] logits = ref.run(Arrays.copyOfRange(d.inputs(), s * per, (s + 1) * per), shape)[0];
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
          max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
          sum += Math.exp(v - max);
        }
        ce += -(logits[label(d, s)] - max - Math.log(sum));
      }
    }
    ce /= d.size();
    assertEquals(ce, m.quality().lossValue(), 1e-3 * Math.max(1, ce), m.quality().toString());
  }

  /** Sample {@code s}'s class: its integer label, or the hot position of a one-hot row. */
  private static int label(Dataset d, int s) {
    int per = (int) Dataset.elements(d.targetShape());
    if (per == 1) {
      return (int) d.targets()[s];
    }
    int best = 0;
    for (int k = 1; k < per; k++) {
      best = d.targets()[s * per + k] > d.targets()[s * per + best] ? k : best;
    }
    return best;
  }
}
