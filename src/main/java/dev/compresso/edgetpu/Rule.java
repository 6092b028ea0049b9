package dev.compresso.edgetpu;

import java.util.Objects;
import java.util.Optional;

/**
 * One Edge TPU requirement with one reason. A rule either holds for an operator or yields a {@link
 * Finding} naming what breaks it.
 *
 * @param id a short stable name, e.g. {@code tensor-types}, {@code conv.dilation}
 * @param reason what Coral requires, in one sentence, printed with every finding of the rule
 * @param evidence whether the rule is sourced or assumed
 * @param source where it comes from (a document and section, an issue), or what was assumed
 * @param check the test; returns the offending detail, or empty when the rule holds
 */
public record Rule(String id, String reason, Evidence evidence, String source, Check check) {

  /** The test of a rule against one operator. */
  @FunctionalInterface
  public interface Check {
    /** What breaks the rule in {@code op} (tensors, values), or empty when it holds. */
    Optional<String> violation(OpContext op);
  }

  public Rule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(evidence, "evidence");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(check, "check");
  }

  /** Applies the rule. */
  public Optional<Finding> apply(OpContext op) {
    return check.violation(op).map(detail -> new Finding(id, reason, detail));
  }
}
