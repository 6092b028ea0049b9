package dev.compresso.model;

import dev.compresso.BadInputException;
import dev.compresso.graph.TensorRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * What an imported model must be for fine-tuning ({@code prune}, {@code qat}) beyond what conversion needs:
 * one input (the training data hold one input array per sample), one output to train (a signature with several is narrowed with {@code --output KEY}), a float32 input
 * (the training data are fed as float32 batches), and no TF1 control-flow ops ({@code Switch}, {@code
 * Merge}, loop frames: tensorflow/core/ops/control_flow_ops.cc), whose gradients exist only in Python's
 * {@code control_flow_grad.py}, not in the C++ gradient registry TF Java uses.
 */
public final class FineTuneChecks {

  /** TF1 (v1) control-flow ops: no C++ gradient. */
  public static final Set<String> CONTROL_FLOW_V1 = Set.of("Switch", "Merge", "Enter", "Exit", "NextIteration",
      "LoopCond", "RefSwitch", "RefMerge", "RefEnter", "RefExit", "RefNextIteration");

  private FineTuneChecks() {}

  /**
   * Refuses, in one message naming the model, signature and item, a model that cannot be fine-tuned.
   *
   * @throws BadInputException listing every reason at once
   */
  public static void require(ImportedModel model) {
    if (model.inputs().size() > 1) {
      // Training data are one input array per sample; the rule is plain, so the message is too.
      throw new BadInputException(String.format("%s: fine-tuning (prune, qat, cluster) takes models with one input; "
          + "this model has inputs %s (convert and validate take it)", model.source(),
          String.join(", ", model.inputKeys())));
    }
    List<String> problems = new ArrayList<>();
    if (model.outputs().size() > 1) {
      problems.add(String.format("it has %d outputs [%s]; fine-tuning trains one: choose it with "
          + "'compresso prune --output KEY' (qat and cluster take the same option; convert keeps them all)", model.outputs().size(), String.join(", ", model.outputKeys())));
    }
    NodeDef input = null;
    List<String> controlFlow = new ArrayList<>();
    String inputNode = TensorRef.parse(model.inputTensor()).node();
    for (NodeDef n : model.graph().getNodeList()) {
      if (n.getName().equals(inputNode)) {
        input = n;
      }
      if (CONTROL_FLOW_V1.contains(n.getOp())) {
        controlFlow.add(n.getName() + " (" + n.getOp() + ")");
      }
    }
    if (input != null && input.getAttrMap().containsKey("dtype")
        && input.getAttrOrThrow("dtype").getType() != DataType.DT_FLOAT) {
      problems.add(String.format("input '%s' is %s; fine-tuning feeds float32 batches, so prune and qat take models "
          + "with a float32 input (convert and validate take this one)", model.inputKey(),
          DataTypes.name(input.getAttrOrThrow("dtype").getType())));
    }
    if (!controlFlow.isEmpty()) {
      problems.add(String.format("it has TF1 control-flow ops, which have no gradient in TensorFlow's C++ API: %s; "
          + "prune and qat cannot fine-tune it (convert takes it)",
          controlFlow.size() > 6 ? controlFlow.subList(0, 6) + " and " + (controlFlow.size() - 6) + " more"
              : String.join(", ", controlFlow)));
    }
    if (!problems.isEmpty()) {
      throw new BadInputException(String.format("%s: signature '%s' cannot be fine-tuned: %s", model.source(),
          model.signatureKey(), String.join("; ", problems)));
    }
  }
}
