package dev.compresso.compress;

import com.google.gson.JsonObject;
import dev.compresso.BadInputException;
import java.util.Locale;

/**
 * How every fine-tuned candidate of a search trains, and how its data were split: part of a recipe, so
 * that a replay trains the same way on the same samples.
 *
 * @param epochs pruning and clustering fine-tuning epochs
 * @param qatEpochs QAT epochs
 * @param batch batch size
 * @param learningRate pruning and clustering learning rate
 * @param qatLearningRate QAT learning rate
 * @param heldOut the fraction of DATA held out for judging (when no {@code --test-data} is given)
 * @param seed the seed of the held-out split (training is seeded by the sweep's own seed)
 * @param samples how many held-out samples (the first ones) judge a candidate
 */
public record Training(int epochs, int qatEpochs, int batch, double learningRate, double qatLearningRate,
    double heldOut, long seed, int samples) {

  public static final double HELD_OUT_DEFAULT = 0.2;
  public static final long SEED_DEFAULT = 26;

  public Training {
    if (epochs < 0 || qatEpochs < 0 || batch < 1 || !(learningRate > 0) || !(qatLearningRate > 0)
        || !(heldOut > 0 && heldOut < 1) || samples < 1) {
      throw new BadInputException(String.format(Locale.ROOT, "compress training settings out of range: epochs %d, "
          + "QAT epochs %d (>= 0), batch %d (>= 1), learning rates %s, %s (> 0), held-out fraction %s (in (0, 1)), samples %d (>= 1)",
          epochs, qatEpochs, batch, learningRate, qatLearningRate, heldOut, samples));
    }
  }

  JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("epochs", epochs);
    o.addProperty("qat_epochs", qatEpochs);
    o.addProperty("batch", batch);
    o.addProperty("learning_rate", learningRate);
    o.addProperty("qat_learning_rate", qatLearningRate);
    o.addProperty("held_out", heldOut);
    o.addProperty("seed", seed);
    o.addProperty("samples", samples);
    return o;
  }

  static Training fromJson(JsonObject o) {
    return new Training(o.get("epochs").getAsInt(), o.get("qat_epochs").getAsInt(), o.get("batch").getAsInt(),
        o.get("learning_rate").getAsDouble(), o.get("qat_learning_rate").getAsDouble(),
        o.get("held_out").getAsDouble(), o.get("seed").getAsLong(), o.get("samples").getAsInt());
  }
}
