package dev.compresso.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.data.Dataset;
import dev.compresso.data.NpzReader;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.KerasFixtures;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.train.Predictor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Folding the Keras UNet's unfused batch norms (Rsqrt/Mul/Sub/AddV2) into its convolutions. */
class BatchNormFoldingTest {

  @Test
  void foldsEveryBatchNormOfTheKerasUNetAndKeepsItsOutputs() {
    Path dir = KerasFixtures.dir("unet_bn", "keras_export");
    ImportedModel model = ModelImporter.read(dir, "serve", "serving_default");
    BatchNormFolding.Result r = BatchNormFolding.fold(model);
    assertEquals(10, r.folds().size(), r.folds().toString()); // fixture.json: 10 Conv2D+BN+ReLU blocks
    assertTrue(r.model().graph().getNodeList().stream().noneMatch(n -> n.getOp().equals("Rsqrt")),
        "no batch-norm arithmetic left");
    assertTrue(r.model().variables().keySet().stream().noneMatch(v -> v.contains("_bn/")),
        "gamma, beta and moving statistics are gone: " + r.model().variables().keySet());
    // The folded model plans with no unsupported op, like a plain conv net.
    QuantPlanner.defaults().plan(dev.compresso.model.Freezer.freeze(r.model(), 1));

    Dataset ref = NpzReader.read(dir.getParent().resolve("reference.npz"));
    float[] before = predict(model, ref);
    float[] after = predict(r.model(), ref);
    double worst = 0;
    for (int i = 0; i < before.length; i++) {
      worst = Math.max(worst, Math.abs(before[i] - after[i]));
    }
    assertTrue(worst <= 1e-4, "folded vs unfolded max abs diff " + worst);
    double toKeras = 0;
    for (int i = 0; i < after.length; i++) {
      toKeras = Math.max(toKeras, Math.abs(after[i] - ref.targets()[i]));
    }
    assertTrue(toKeras <= 1e-4, "folded vs TensorFlow's reference max abs diff " + toKeras);
  }

  @Test
  void aModelWithoutBatchNormIsUnchanged() {
    Path dir = KerasFixtures.dir("dense_ae", "tf_saved_model");
    ImportedModel model = ModelImporter.read(dir, "serve", "serving_default");
    BatchNormFolding.Result r = BatchNormFolding.fold(model);
    assertTrue(r.folds().isEmpty());
    assertEquals(model.graph(), r.model().graph());
  }

  private static float[] predict(ImportedModel m, Dataset data) {
    try (ModelSession s = new ModelSession(m, v -> false)) {
      return Predictor.predict(s.session(), s.trainable(), data, 4);
    }
  }
}
