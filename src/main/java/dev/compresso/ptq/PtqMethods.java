package dev.compresso.ptq;

import dev.compresso.BadInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one table of post-training methods by name (STYLE.md: one registry, duplicates rejected), in the
 * order they are applied whatever order {@code --ptq} lists them in: equalize first (function-preserving),
 * then choose ranges (weights clipped, activations searched), then learn the rounding of the clipped
 * weights, and last correct the bias for the error that remains.
 */
public final class PtqMethods {

  /** {@code --ptq none}: min/max calibration only, as before this table existed. */
  public static final String NONE = "none";

  private static final Map<String, PtqMethod> TABLE = table(List.of(
      new CrossLayerEqualization(), new RangeSearch(), new AdaRound(), new BiasCorrection()));

  private PtqMethods() {}

  private static Map<String, PtqMethod> table(List<PtqMethod> methods) {
    Map<String, PtqMethod> m = new LinkedHashMap<>();
    for (PtqMethod p : methods) {
      if (m.put(p.name(), p) != null) {
        throw new IllegalArgumentException("two PTQ methods are named " + p.name());
      }
    }
    return Collections.unmodifiableMap(m);
  }

  /** Every method, in application order. */
  public static List<PtqMethod> all() {
    return List.copyOf(TABLE.values());
  }

  /** The names, in application order. */
  public static List<String> names() {
    return List.copyOf(TABLE.keySet());
  }

  /**
   * The methods of a comma-separated list, in application order; {@value #NONE} (alone) gives none.
   *
   * @throws BadInputException naming every unknown entry and listing the valid names
   */
  public static List<PtqMethod> parse(String list) {
    if (list == null || list.isBlank()) {
      throw new BadInputException("--ptq needs a comma-separated list of " + names() + " or '" + NONE + "'");
    }
    List<String> wanted = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (String part : list.split(",")) {
      String n = part.strip();
      if (n.isEmpty()) {
        continue;
      }
      if (n.equals(NONE) || TABLE.containsKey(n)) {
        wanted.add(n);
      } else {
        unknown.add("'" + n + "'");
      }
    }
    if (!unknown.isEmpty()) {
      throw new BadInputException("unknown --ptq method(s) " + String.join(", ", unknown) + "; valid: "
          + String.join(", ", names()) + " (comma-separated), or '" + NONE + "'");
    }
    if (wanted.contains(NONE)) {
      if (wanted.size() > 1) {
        throw new BadInputException("--ptq '" + NONE + "' cannot be combined with other methods, got '" + list + "'");
      }
      return List.of();
    }
    if (wanted.isEmpty()) {
      throw new BadInputException("--ptq needs a comma-separated list of " + names() + " or '" + NONE + "'");
    }
    return TABLE.values().stream().filter(m -> wanted.contains(m.name())).toList();
  }

  /** The comma-separated names of {@code methods}, or {@value #NONE}. */
  public static String describe(List<PtqMethod> methods) {
    return methods.isEmpty() ? NONE : String.join(",", methods.stream().map(PtqMethod::name).toList());
  }
}
