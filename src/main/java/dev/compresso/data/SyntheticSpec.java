package dev.compresso.data;

import dev.compresso.BadInputException;
import java.util.HashSet;
import java.util.Set;

/**
 * A parsed {@code synthetic:shapes[?n=..&size=..&seed=..]} data spec.
 *
 * <p>Parsing is strict: an unknown generator or key, a repeated key, an empty parameter or a value that
 * is not an integer in range is rejected with a message naming it and listing what is accepted. Missing
 * keys take {@link SyntheticShapes}' defaults.
 */
public record SyntheticSpec(int n, int size, long seed) {

  public static final String PREFIX = "synthetic:";
  public static final String GENERATOR = "shapes";

  /** The accepted keys, for messages. */
  public static final String ACCEPTED = String.format(
      "n (samples, integer >= 1, default %d), size (image side, integer %d..%d, default %d), "
          + "seed (integer, default %d)",
      SyntheticShapes.DEFAULT_COUNT, SyntheticShapes.MIN_SIZE, SyntheticShapes.MAX_SIZE,
      SyntheticShapes.DEFAULT_SIZE, SyntheticShapes.DEFAULT_SEED);

  public SyntheticSpec {
    if (n < 1) {
      throw new BadInputException("synthetic:shapes n=" + n + " is not >= 1; accepted: " + ACCEPTED);
    }
    if (size < SyntheticShapes.MIN_SIZE || size > SyntheticShapes.MAX_SIZE) {
      throw new BadInputException("synthetic:shapes size=" + size + " is out of range; accepted: " + ACCEPTED);
    }
  }

  /** True when {@code spec} names a synthetic generator (and should be parsed here, not as a path). */
  public static boolean matches(String spec) {
    return spec.startsWith(PREFIX);
  }

  /**
   * Parses a spec such as {@code synthetic:shapes?n=200&size=64&seed=7}.
   *
   * @throws BadInputException naming the spec and the bad part
   */
  public static SyntheticSpec parse(String spec) {
    if (!matches(spec)) {
      throw new BadInputException("'" + spec + "' is not a synthetic spec (" + PREFIX + GENERATOR + "[?...])");
    }
    String rest = spec.substring(PREFIX.length());
    int q = rest.indexOf('?');
    String generator = q < 0 ? rest : rest.substring(0, q);
    if (!generator.equals(GENERATOR)) {
      throw new BadInputException(String.format("%s: unknown synthetic generator '%s'; accepted: %s%s",
          spec, generator, PREFIX, GENERATOR));
    }
    int n = SyntheticShapes.DEFAULT_COUNT;
    int size = SyntheticShapes.DEFAULT_SIZE;
    long seed = SyntheticShapes.DEFAULT_SEED;
    if (q >= 0) {
      Set<String> seen = new HashSet<>();
      for (String pair : rest.substring(q + 1).split("&", -1)) {
        int eq = pair.indexOf('=');
        if (eq <= 0 || eq == pair.length() - 1) {
          throw new BadInputException(String.format("%s: parameter '%s' is not key=value; accepted keys: %s",
              spec, pair, ACCEPTED));
        }
        String key = pair.substring(0, eq);
        String value = pair.substring(eq + 1);
        if (!seen.add(key)) {
          throw new BadInputException(String.format("%s: key '%s' is given twice", spec, key));
        }
        switch (key) {
          case "n" -> n = (int) integer(spec, key, value, 1, Integer.MAX_VALUE);
          case "size" -> size = (int) integer(spec, key, value, SyntheticShapes.MIN_SIZE, SyntheticShapes.MAX_SIZE);
          case "seed" -> seed = integer(spec, key, value, Long.MIN_VALUE, Long.MAX_VALUE);
          default -> throw new BadInputException(String.format("%s: unknown key '%s'; accepted: %s", spec, key,
              ACCEPTED));
        }
      }
    }
    return new SyntheticSpec(n, size, seed);
  }

  private static long integer(String spec, String key, String value, long min, long max) {
    long v;
    try {
      v = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new BadInputException(String.format("%s: %s=%s is not an integer; accepted: %s", spec, key, value,
          ACCEPTED));
    }
    if (v < min || v > max) {
      throw new BadInputException(String.format("%s: %s=%s is out of range; accepted: %s", spec, key, value,
          ACCEPTED));
    }
    return v;
  }

  /** Generates the data. */
  public Dataset generate() {
    return SyntheticShapes.generate(n, size, seed);
  }

  @Override
  public String toString() {
    return String.format("%s%s?n=%d&size=%d&seed=%d", PREFIX, GENERATOR, n, size, seed);
  }
}
