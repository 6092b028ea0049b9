package dev.compresso.model;

import com.google.protobuf.ByteString;
import dev.compresso.BadInputException;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * Integer variables of a TF1 graph (a step counter, lookup indices, a reshape's target shape kept in a
 * variable) become constants holding their restored values: nothing trains them, and the converter, like TF's
 * own {@code convert_variables_to_constants}, takes them as constants. Their {@code Identity} reads stay.
 */
final class VariableConstants {

  /** Element types a constant holds as raw little-endian {@code tensor_content}. */
  private static final Set<DataType> NUMERIC = Set.of(DataType.DT_INT32, DataType.DT_INT64, DataType.DT_INT16,
      DataType.DT_INT8, DataType.DT_UINT8, DataType.DT_UINT16, DataType.DT_UINT32, DataType.DT_UINT64,
      DataType.DT_BOOL, DataType.DT_DOUBLE, DataType.DT_HALF, DataType.DT_BFLOAT16);

  private VariableConstants() {}

  /**
   * One {@link Rewrite.ReplaceNode} per variable in {@code variables}, each a {@code Const} of its value.
   *
   * @throws BadInputException for a variable whose type a constant cannot hold as raw bytes (strings), named
   */
  static List<Rewrite> of(Session session, List<String> variables, Path dir) {
    List<Rewrite> out = new ArrayList<>();
    if (variables.isEmpty()) {
      return out;
    }
    Session.Runner runner = session.runner();
    variables.forEach(runner::fetch);
    try (Result r = runner.run()) {
      List<String> refused = new ArrayList<>();
      for (int i = 0; i < variables.size(); i++) {
        Tensor t = r.get(i);
        if (!NUMERIC.contains(t.dataType())) {
          refused.add(variables.get(i) + " (" + t.dataType() + ")");
          continue;
        }
        byte[] bytes = new byte[(int) t.numBytes()];
        t.asRawTensor().data().read(bytes);
        TensorProto value = TensorProto.newBuilder().setDtype(t.dataType())
            .setTensorShape(Nodes.shape(t.shape().asArray())).setTensorContent(ByteString.copyFrom(bytes)).build();
        out.add(new Rewrite.ReplaceNode(Nodes.tensorConstant(variables.get(i), value)));
      }
      if (!refused.isEmpty()) {
        throw new BadInputException(dir + ": variables " + refused + " are neither float nor numeric; Compresso "
            + "freezes numeric variables only");
      }
    }
    return out;
  }
}
