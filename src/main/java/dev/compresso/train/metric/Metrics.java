package dev.compresso.train.metric;

import dev.compresso.BadInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The registry of metrics by name. One entry per metric; duplicates are rejected. */
public final class Metrics {

  private static final Map<String, Supplier<Metric>> BY_NAME = new LinkedHashMap<>();

  static {
    register("dice", HardDice::new);
    register("iou", HardIou::new);
    register("accuracy", Accuracy::new);
    register("mae", MeanAbsoluteError::new);
    register("mean-dice", MeanClassDice::new);
    register("mean-iou", MeanClassIou::new);
  }

  private Metrics() {}

  private static void register(String name, Supplier<Metric> factory) {
    if (BY_NAME.putIfAbsent(name, factory) != null) {
      throw new IllegalStateException("metric registered twice: " + name);
    }
  }

  /** The metric called {@code name}. */
  public static Metric byName(String name) {
    Supplier<Metric> factory = BY_NAME.get(name);
    if (factory == null) {
      throw new BadInputException("unknown metric '" + name + "'; known: " + String.join(", ", BY_NAME.keySet()));
    }
    return factory.get();
  }

  /** Every registered name, in registration order. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }
}
