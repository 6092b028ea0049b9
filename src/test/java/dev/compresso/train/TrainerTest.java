package dev.compresso.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.train.loss.FocalTversky;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class TrainerTest {

  /** A one-conv segmenter whose kernel is multiplied by a mask variable that must never train. */
  static final class TinyModel {
    final TrainableGraph model;
    final VariableStore store;

    TinyModel(Graph g) {
      Ops tf = Ops.create(g);
      store = new VariableStore(g);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 16, 16, 1)));
      TrainableVariable kernel = store.create("conv/kernel", 3, 3, 1, 1);
      TrainableVariable bias = store.create("conv/bias", 1);
      TrainableVariable mask = store.create("conv/mask", 3, 3, 1, 1);
      Operand<TFloat32> w = tf.math.mul(kernel.read(), mask.read());
      Operand<TFloat32> y = tf.nn.biasAdd(tf.nn.conv2d(x, w, List.of(1L, 1L, 1L, 1L), "SAME"), bias.read());
      model = new TrainableGraph(g, x.asOutput(), tf.math.sigmoid(y).asOutput(), List.of(kernel, bias));
    }

    void init(Session s) {
      float[] mask = new float[9];
      Arrays.fill(mask, 1f);
      mask[0] = 0f;
      store.assign(s, Map.of("conv/kernel", new float[] {0.1f, -0.2f, 0.05f, 0.3f, 0.1f, -0.1f, 0.2f, 0f, -0.05f},
          "conv/bias", new float[] {0f}, "conv/mask", mask));
    }
  }

  @Test
  void trainingLowersTheLossAndLeavesNonTrainableVariablesAlone() {
    Dataset data = SyntheticShapes.generate(64, 16, 5);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      TinyModel tiny = new TinyModel(g);
      tiny.init(s);
      Map<String, float[]> before = tiny.store.read(s);
      FocalTversky loss = new FocalTversky();
      double lossBefore = loss.mean(data.targets(), Predictor.predict(s, tiny.model, data, 16), data.allTargetsShape());
      Trainer trainer = new Trainer(tiny.model, s, loss, new Adam(0.05f));
      List<Trainer.EpochResult> history =
          trainer.fit(data, null, FitConfig.builder().optEpochs(6).optBatchSize(8).optSeed(1).build(), null);
      Map<String, float[]> after = tiny.store.read(s);
      double lossAfter = loss.mean(data.targets(), Predictor.predict(s, tiny.model, data, 16), data.allTargetsShape());

      assertEquals(6, history.size());
      assertEquals(48, trainer.steps());
      assertTrue(lossAfter < lossBefore - 0.05, "loss " + lossBefore + " -> " + lossAfter);
      assertArrayEquals(before.get("conv/mask"), after.get("conv/mask"), "the mask is not trainable");
      assertFalse(Arrays.equals(before.get("conv/kernel"), after.get("conv/kernel")), "the kernel trained");
    }
  }

  @Test
  void fitTrainsOnExactlyTheEpochOrdersBatchesDespitePrefetching() {
    Dataset data = SyntheticShapes.generate(40, 16, 4);
    FitConfig config = FitConfig.builder().optEpochs(2).optBatchSize(8).optSeed(3).build();
    float[][] kernels = new float[2][];
    for (int run = 0; run < 2; run++) {
      try (Graph g = new Graph(); Session s = new Session(g)) {
        TinyModel tiny = new TinyModel(g);
        tiny.init(s);
        Trainer trainer = new Trainer(tiny.model, s, new FocalTversky(), new Adam(0.05f));
        if (run == 0) {
          trainer.fit(data, null, config, null);
        } else {
          for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            try (dev.compresso.data.BatchStream batches = data.stream(8, Trainer.epochOrder(3, epoch), true)) {
              batches.forEachRemaining(trainer::step);
            }
          }
        }
        assertEquals(10, trainer.steps());
        kernels[run] = tiny.store.read(s).get("conv/kernel");
      }
    }
    assertArrayEquals(kernels[1], kernels[0], "fit = steps over the same batches, bit for bit");
  }

  @Test
  void sameSeedSameWeights() {
    Dataset data = SyntheticShapes.generate(32, 16, 9);
    float[][] kernels = new float[2][];
    for (int run = 0; run < 2; run++) {
      try (Graph g = new Graph(); Session s = new Session(g)) {
        TinyModel tiny = new TinyModel(g);
        tiny.init(s);
        new Trainer(tiny.model, s, new FocalTversky(), new Adam(0.01f))
            .fit(data, null, FitConfig.builder().optEpochs(2).optBatchSize(8).optSeed(3).build(), null);
        kernels[run] = tiny.store.read(s).get("conv/kernel");
      }
    }
    assertArrayEquals(kernels[0], kernels[1], 1e-6f);
  }

  @Test
  void dataOfTheWrongShapeIsRejectedWithBothShapes() {
    Dataset data = SyntheticShapes.generate(16, 32, 1);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      TinyModel tiny = new TinyModel(g);
      tiny.init(s);
      Trainer trainer = new Trainer(tiny.model, s, new FocalTversky(), new Adam(0.01f));
      BadInputException e = assertThrows(BadInputException.class,
          () -> trainer.fit(data, null, FitConfig.builder().optEpochs(1).build(), null));
      assertTrue(e.getMessage().contains("[32, 32, 1]") && e.getMessage().contains("[-1, 16, 16, 1]"), e.getMessage());
    }
  }
}
