package dev.compresso.train.loss;

import dev.compresso.BadInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The registry of losses by command-line name. One entry per loss; duplicates are rejected. */
public final class Losses {

  private static final Map<String, Supplier<Loss>> BY_NAME = new LinkedHashMap<>();

  static {
    register("focal-tversky", FocalTversky::new);
    register("dice", Dice::new);
    register("iou", Iou::new);
    register("bce", BinaryCrossEntropy::new);
    register("cce", CategoricalCrossEntropy::new);
    register("mse", MeanSquaredError::new);
  }

  /**
   * The name that asks for the task's own loss, inferred from the targets ({@link
   * dev.compresso.train.metric.TaskKind#lossOr}): focal-Tversky for binary masks, categorical cross-entropy
   * for one-hot labels, MSE otherwise. The default of every fine-tuning stage.
   */
  public static final String AUTO = "auto";

  private Losses() {}

  /** Checks {@code name}: {@link #AUTO} or a registered loss. */
  public static String check(String name) {
    if (!AUTO.equals(name)) {
      byName(name);
    }
    return name;
  }

  private static void register(String name, Supplier<Loss> factory) {
    if (BY_NAME.putIfAbsent(name, factory) != null) {
      throw new IllegalStateException("loss registered twice: " + name);
    }
  }

  /** The loss called {@code name}, with its default parameters. */
  public static Loss byName(String name) {
    Supplier<Loss> factory = BY_NAME.get(name);
    if (factory == null) {
      throw new BadInputException("unknown loss '" + name + "'; known: " + AUTO + " (from the targets), "
          + String.join(", ", BY_NAME.keySet()));
    }
    return factory.get();
  }

  /** Every registered name, in registration order. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }
}
