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

  private Losses() {}

  private static void register(String name, Supplier<Loss> factory) {
    if (BY_NAME.putIfAbsent(name, factory) != null) {
      throw new IllegalStateException("loss registered twice: " + name);
    }
  }

  /** The loss called {@code name}, with its default parameters. */
  public static Loss byName(String name) {
    Supplier<Loss> factory = BY_NAME.get(name);
    if (factory == null) {
      throw new BadInputException("unknown loss '" + name + "'; known: " + String.join(", ", BY_NAME.keySet()));
    }
    return factory.get();
  }

  /** Every registered name, in registration order. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }
}
