package dev.compresso.train.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Mean class Dice and IoU of class maps: hand-computed values; logits and probabilities give the same map. */
class MeanClassOverlapTest {

  // 4 pixels, 3 classes. Target classes [0, 1, 1, 2]; predicted [0, 1, 2, 2].
  private static final float[] TARGET = {1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1};
  private static final float[] LOGITS = {3, 1, 0, 0, 2, 1, -1, 0, 4, 0, 0, 1};
  private static final long[] SAMPLE = {2, 2, 3};

  @Test
  void diceAndIouPerClassAveragedOverPresentClasses() {
    // class 0: T=1, P=1, both=1 -> Dice 1, IoU 1; class 1: T=2, P=1, both=1 -> Dice 2/3, IoU 1/2;
    // class 2: T=1, P=2, both=1 -> Dice 2/3, IoU 1/2
    assertEquals((1 + 2.0 / 3 + 2.0 / 3) / 3, new MeanClassDice().sample(TARGET, LOGITS, 0, SAMPLE), 1e-12);
    assertEquals((1 + 0.5 + 0.5) / 3, new MeanClassIou().sample(TARGET, LOGITS, 0, SAMPLE), 1e-12);
  }

  @Test
  void classesAbsentFromBothAreLeftOutAndAPerfectMapScoresOne() {
    float[] onlyZero = {1, 0, 0, 1, 0, 0};
    assertEquals(1.0, new MeanClassDice().sample(onlyZero, onlyZero, 0, new long[] {2, 3}), 1e-12);
    assertEquals(1.0, new MeanClassIou().sample(onlyZero, onlyZero, 0, new long[] {2, 3}), 1e-12);
    // a softmax of the logits gives the same arg-max, so the same score
    float[] p = new float[LOGITS.length];
    for (int r = 0; r < 4; r++) {
      double sum = 0;
      for (int c = 0; c < 3; c++) {
        sum += Math.exp(LOGITS[r * 3 + c]);
      }
      for (int c = 0; c < 3; c++) {
        p[r * 3 + c] = (float) (Math.exp(LOGITS[r * 3 + c]) / sum);
      }
    }
    assertEquals(new MeanClassDice().sample(TARGET, LOGITS, 0, SAMPLE), new MeanClassDice().sample(TARGET, p, 0, SAMPLE));
  }
}
