package dev.compresso.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.train.FitConfig;
import org.junit.jupiter.api.Test;

/** Golden values from tfmot's pruning_schedule.py formulas, worked by hand. */
class PruningScheduleTest {

  @Test
  void polynomialDecayMatchesTfmot() {
    PolynomialDecay p = new PolynomialDecay(0, 0.8, 0, 100, 3, 10);
    assertEquals(0.0, p.sparsity(0), 1e-12);
    assertEquals(0.8 - 0.8 * 0.421875, p.sparsity(25), 1e-12); // (1 - 0.25)^3 = 0.421875
    assertEquals(0.7, p.sparsity(50), 1e-12);
    assertEquals(0.8, p.sparsity(100), 1e-12);
    assertEquals(0.8, p.sparsity(150), 1e-12);
    assertTrue(p.shouldPrune(0));
    assertFalse(p.shouldPrune(5));
    assertTrue(p.shouldPrune(10));
    assertTrue(p.shouldPrune(100));
    assertFalse(p.shouldPrune(110), "no pruning after the end step");

    PolynomialDecay q = new PolynomialDecay(0.2, 0.6, 10, 30, 1, 5);
    assertEquals(0.2, q.sparsity(5), 1e-12, "clamped before the begin step");
    assertEquals(0.4, q.sparsity(20), 1e-12);
    assertFalse(q.shouldPrune(5));
    assertTrue(q.shouldPrune(15));
    assertTrue(q.shouldPrune(30));
    assertFalse(q.shouldPrune(35));
  }

  @Test
  void constantSparsityPrunesForeverWithANegativeEnd() {
    ConstantSparsity c = new ConstantSparsity(0.5, 3, -1, 4);
    assertFalse(c.shouldPrune(2));
    assertTrue(c.shouldPrune(3));
    assertFalse(c.shouldPrune(4));
    assertTrue(c.shouldPrune(7));
    assertTrue(c.shouldPrune(1_000_003));
    assertEquals(0.5, c.sparsity(0));
    assertEquals(0.5, c.sparsity(10_000));
    ConstantSparsity bounded = new ConstantSparsity(0.5, 0, 8, 4);
    assertTrue(bounded.shouldPrune(8));
    assertFalse(bounded.shouldPrune(12));
  }

  @Test
  void defaultScheduleReachesTheFinalSparsityOnAnUpdateStepAt70PercentOfTraining() {
    PruneConfig c = PruneConfig.builder(0.8).optFit(FitConfig.builder().optEpochs(2).build()).build();
    PruningSchedule s = c.resolveSchedule(80);
    PolynomialDecay p = (PolynomialDecay) s;
    assertTrue(p.endStep() <= 56 && p.endStep() > 40, p.describe());
    assertTrue(p.shouldPrune(p.endStep()), p.describe());
    assertEquals(0.8, p.sparsity(p.endStep()), 1e-12);
  }

  @Test
  void badValuesAreBadInput() {
    assertThrows(BadInputException.class, () -> PruneConfig.builder(1.0).build());
    assertThrows(BadInputException.class, () -> PruneConfig.builder(-0.1).build());
    assertThrows(BadInputException.class, () -> PruneConfig.builder(0.5).optSchedule("cubic").build());
    assertThrows(BadInputException.class, () -> new PolynomialDecay(0, 0.5, 10, 10, 3, 1));
    assertThrows(BadInputException.class, () -> new PolynomialDecay(0, 0.5, 0, 10, 3, 0));
    assertThrows(BadInputException.class, () -> new ConstantSparsity(0.5, 5, 2, 1));
    assertThrows(BadInputException.class, () -> Granularity.parse("block:1x"));
    assertThrows(BadInputException.class, () -> Granularity.parse("filters"));
  }
}
