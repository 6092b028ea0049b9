package dev.compresso.edgetpu;

import java.util.Objects;

/**
 * One broken rule: the rule's id and fixed reason, and what in this model broke it.
 *
 * @param rule the {@link Rule#id()}
 * @param reason the rule's reason, the same for every finding of that rule
 * @param detail the tensors, values or options of this op that break it
 */
public record Finding(String rule, String reason, String detail) {

  public Finding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
  }

  @Override
  public String toString() {
    return reason + ": " + detail + " [" + rule + "]";
  }
}
