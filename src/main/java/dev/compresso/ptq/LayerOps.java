package dev.compresso.ptq;

import dev.compresso.quant.OpRule;
import dev.compresso.quant.QuantOpTable;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/** Adds copies of a weighted op to a TF graph with other data or kernel inputs (same attributes). */
final class LayerOps {

  private LayerOps() {}

  /** The rule of a weighted op type (data and kernel positions). */
  static OpRule rule(String opType) {
    return QuantOpTable.defaults().rule(opType).orElseThrow();
  }

  /**
   * A copy of {@code template} named {@code name} in {@code g}, reading {@code data} and {@code kernel}
   * where the template reads its data and kernel; other inputs (a transposed conv's output sizes) are read
   * from {@code others} when given there, else from the graph by name.
   */
  static Output<?> copy(Graph g, Ops tf, NodeDef template, String name, Output<?> data, Output<?> kernel,
      Map<Integer, Output<?>> others) {
    OpRule r = rule(template.getOp());
    GraphOperationBuilder b = g.opBuilder(template.getOp(), name, tf.scope());
    for (int i = 0; i < template.getInputCount(); i++) {
      String in = template.getInput(i);
      if (in.startsWith("^")) {
        continue;
      }
      if (i == r.dataInput()) {
        b.addInput(data);
      } else if (i == r.weight().input()) {
        b.addInput(kernel);
      } else if (others.containsKey(i)) {
        b.addInput(others.get(i));
      } else {
        b.addInput(g.output(in.contains(":") ? in : in + ":0"));
      }
    }
    for (Map.Entry<String, AttrValue> a : template.getAttrMap().entrySet()) {
      if (!a.getKey().startsWith("_")) {
        b.setAttr(a.getKey(), a.getValue());
      }
    }
    GraphOperation op = b.build();
    return op.output(0);
  }
}
