package dev.compresso.edgetpu;

import dev.compresso.tflite.SubgraphInfo;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A requirement on the model as a whole (its inputs and outputs) rather than on one operator.
 *
 * @param id a short stable name
 * @param reason the requirement, one sentence
 * @param evidence sourced or assumed
 * @param source where it comes from
 * @param check returns what breaks it in the primary subgraph, or empty
 */
public record ModelRule(String id, String reason, Evidence evidence, String source,
    Function<SubgraphInfo, Optional<String>> check) {

  public ModelRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(evidence, "evidence");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(check, "check");
  }

  /** Applies the rule to the primary subgraph. */
  public Optional<Finding> apply(SubgraphInfo graph) {
    return check.apply(graph).map(detail -> new Finding(id, reason, detail));
  }
}
