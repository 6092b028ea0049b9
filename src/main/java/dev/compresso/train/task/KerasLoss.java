package dev.compresso.train.task;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.compresso.train.loss.BinaryCrossEntropy;
import dev.compresso.train.loss.CategoricalCrossEntropy;
import dev.compresso.train.loss.Loss;
import dev.compresso.train.loss.MeanSquaredError;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A Keras compile config's loss as a Compresso {@link Loss}: one table from Keras' names (the class name of a
 * serialized loss, or the string a user passed to {@code compile}) to a factory taking {@code from_logits}
 * and {@code label_smoothing} (Keras' defaults: false and 0, {@code keras/src/losses/losses.py}).
 * Sparse categorical cross-entropy maps to categorical cross-entropy, with the integer labels expanded
 * one-hot per batch ({@link ClassIndexTargets}).
 *
 * @param loss the loss, or null when Keras' name is not in the table (a custom or unsupported loss)
 * @param kerasName the name as the file stores it
 */
public record KerasLoss(Loss loss, String kerasName) {

  private static final Map<String, BiFunction<Boolean, Double, Loss>> TABLE = Map.ofEntries(
      Map.entry("categoricalcrossentropy", CategoricalCrossEntropy::new),
      Map.entry("sparsecategoricalcrossentropy", CategoricalCrossEntropy::new),
      Map.entry("binarycrossentropy", BinaryCrossEntropy::new),
      Map.entry("meansquarederror", (logits, smoothing) -> new MeanSquaredError()),
      Map.entry("mse", (logits, smoothing) -> new MeanSquaredError()));

  /** Whether Compresso has this loss. */
  public boolean known() {
    return loss != null;
  }

  /** Reads a stored loss (a string or a serialized object). */
  public static KerasLoss of(JsonElement stored) {
    String name;
    boolean fromLogits = false;
    double smoothing = 0;
    if (stored.isJsonPrimitive()) {
      name = stored.getAsString();
    } else if (stored.isJsonObject()) {
      JsonObject o = stored.getAsJsonObject();
      name = o.has("class_name") ? o.get("class_name").getAsString() : String.valueOf(o);
      if (o.has("registered_name") && !o.get("registered_name").isJsonNull()
          && !o.get("registered_name").getAsString().equals(name)) {
        return new KerasLoss(null, o.get("registered_name").getAsString());
      }
      JsonObject config = o.has("config") && o.get("config").isJsonObject() ? o.getAsJsonObject("config") : null;
      if (config != null) {
        fromLogits = config.has("from_logits") && !config.get("from_logits").isJsonNull()
            && config.get("from_logits").getAsBoolean();
        smoothing = config.has("label_smoothing") && !config.get("label_smoothing").isJsonNull()
            ? config.get("label_smoothing").getAsDouble() : 0;
      }
    } else {
      return new KerasLoss(null, String.valueOf(stored));
    }
    BiFunction<Boolean, Double, Loss> factory = TABLE.get(name.replace("_", "").toLowerCase(Locale.ROOT));
    return new KerasLoss(factory == null ? null : factory.apply(fromLogits, smoothing), name);
  }
}
