package dev.compresso.train.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.SyntheticShapes;
import org.junit.jupiter.api.Test;

class TaskKindTest {

  @Test
  void binaryMasksWithSpatialAxesAreSegmentation() {
    float[] masks = {0, 1, 1, 0, 0, 0, 1, 1};
    assertEquals(TaskKind.SEGMENTATION, TaskKind.infer(new long[] {2, 2, 1}, masks));
    assertEquals(TaskKind.SEGMENTATION, TaskKind.infer(new long[] {2, 2}, masks));
    // all-background masks too
    assertEquals(TaskKind.SEGMENTATION, TaskKind.infer(new long[] {2, 2, 1}, new float[8]));
  }

  @Test
  void builtInSyntheticShapesAreSegmentation() {
    var data = SyntheticShapes.generate(3, 16, 1);
    assertEquals(TaskKind.SEGMENTATION, TaskKind.infer(data.targetShape(), data.targets()));
  }

  @Test
  void oneHotRowsAreClassification() {
    float[] labels = {0, 1, 0, 1, 0, 0, 0, 0, 1};
    assertEquals(TaskKind.CLASSIFICATION, TaskKind.infer(new long[] {3}, labels));
    assertEquals(TaskKind.CLASSIFICATION, TaskKind.infer(new long[] {1, 3}, labels));
  }

  @Test
  void softOrMultiHotRowsAreRegression() {
    assertEquals(TaskKind.REGRESSION, TaskKind.infer(new long[] {3}, new float[] {0.2f, 0.8f, 0, 0, 1, 0}));
    assertEquals(TaskKind.REGRESSION, TaskKind.infer(new long[] {3}, new float[] {1, 1, 0, 0, 1, 0}));
    assertEquals(TaskKind.REGRESSION, TaskKind.infer(new long[] {3}, new float[] {0, 0, 0, 0, 1, 0}));
  }

  @Test
  void singleBinaryLabelIsRegression() {
    // cce needs two classes or more; documented: encode binary labels one-hot for classification
    assertEquals(TaskKind.REGRESSION, TaskKind.infer(new long[] {1}, new float[] {0, 1, 1}));
    assertEquals(TaskKind.REGRESSION, TaskKind.infer(new long[] {}, new float[] {0, 1, 1}));
  }

  @Test
  void realValuedImagesAreRegression() {
    assertEquals(TaskKind.REGRESSION, TaskKind.infer(new long[] {2, 2, 1}, new float[] {0, 0.5f, 1, 0}));
  }

  @Test
  void noTargetsOrARaggedCountIsBadInput() {
    assertThrows(BadInputException.class, () -> TaskKind.infer(new long[] {3}, new float[0]));
    BadInputException e = assertThrows(BadInputException.class, () -> TaskKind.infer(new long[] {3}, new float[4]));
    assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("4"), e.getMessage());
    assertThrows(BadInputException.class, () -> TaskKind.infer(new long[] {0}, new float[3]));
  }

  /** Fine-tuning's default loss is the task's: a classifier is not fine-tuned with focal-Tversky. */
  @Test
  void autoLossIsTheTasksLossAndEveryStageDefaultsToIt() {
    assertEquals("cce", TaskKind.CLASSIFICATION.lossOr(dev.compresso.train.loss.Losses.AUTO).name());
    assertEquals("mse", TaskKind.REGRESSION.lossOr("auto").name());
    assertEquals("focal-tversky", TaskKind.SEGMENTATION.lossOr("auto").name());
    assertEquals("bce", TaskKind.SEGMENTATION.lossOr("bce").name());
    assertEquals("auto", dev.compresso.prune.PruneConfig.builder(0.5).build().loss());
    assertEquals("auto", dev.compresso.qat.QatConfig.builder().build().loss());
    assertEquals("auto", dev.compresso.cluster.ClusterConfig.builder(8).build().loss());
    BadInputException e = assertThrows(BadInputException.class,
        () -> dev.compresso.prune.PruneConfig.builder(0.5).optLoss("hinge").build());
    assertTrue(e.getMessage().contains("hinge") && e.getMessage().contains("auto"), e.getMessage());
  }
}
