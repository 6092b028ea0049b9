package dev.compresso.train.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.train.loss.Losses;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void everyNameResolvesToAMetricOfThatName() {
    for (String name : Metrics.names()) {
      assertEquals(name, Metrics.byName(name).name());
    }
    assertEquals(List.of("dice", "iou", "accuracy", "mae", "mean-dice", "mean-iou"), Metrics.names());
  }

  @Test
  void namesAreUnique() {
    assertEquals(Metrics.names().size(), new HashSet<>(Metrics.names()).size());
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    BadInputException e = assertThrows(BadInputException.class, () -> Metrics.byName("f1"));
    assertTrue(e.getMessage().contains("'f1'"), e.getMessage());
    for (String name : Metrics.names()) {
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }

  @Test
  void everyTaskKindNamesRegisteredLossAndMetrics() {
    for (TaskKind kind : TaskKind.values()) {
      assertTrue(Losses.names().contains(kind.defaultLoss()), kind + ": " + kind.defaultLoss());
      assertTrue(Metrics.names().containsAll(kind.defaultMetrics()), kind + ": " + kind.defaultMetrics());
      assertEquals(kind.defaultLoss(), kind.loss().name());
      assertEquals(kind.defaultMetrics(), kind.metrics().stream().map(Metric::name).toList());
    }
    assertEquals("focal-tversky", TaskKind.SEGMENTATION.defaultLoss());
    assertEquals(List.of("dice", "iou"), TaskKind.SEGMENTATION.defaultMetrics());
    assertEquals("cce", TaskKind.CLASSIFICATION.defaultLoss());
    assertEquals(List.of("accuracy"), TaskKind.CLASSIFICATION.defaultMetrics());
    assertEquals("mse", TaskKind.REGRESSION.defaultLoss());
    assertEquals(List.of("mae"), TaskKind.REGRESSION.defaultMetrics());
  }

  @Test
  void mismatchedBatchIsBadInput() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> Metrics.byName("dice").mean(new float[8], new float[4], new long[] {2, 4}));
    assertTrue(e.getMessage().startsWith("dice:"), e.getMessage());
  }
}
