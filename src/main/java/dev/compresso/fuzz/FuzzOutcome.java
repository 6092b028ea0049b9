package dev.compresso.fuzz;

/** What one target did with one damaged input. */
public enum FuzzOutcome {
  /** Read (and ran) it: the damage left a valid input, e.g. a flipped weight byte. */
  ACCEPTED,
  /** Refused it with a {@code BadInputException} / exit 2 in one line naming the input. */
  REFUSED,
  /** Refused it with exit 2, but the message spans lines or does not name the input. */
  UNTIDY,
  /** Another exception or exit 1 escaped: a reader bug. */
  LEAK;

  /** The word results files use. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
