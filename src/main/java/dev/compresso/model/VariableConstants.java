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
public final class VariableConstants {

  /** Element types a constant holds as raw little-endian {@code tensor_content}. */
  private static final Set<DataType> NUMERIC = Set.of(DataType.DT_INT32, DataType.DT_INT64, DataType.DT_INT16,
      DataType.DT_INT8, DataType.DT_UINT8, DataType.DT_UINT16, DataType.DT_UINT32, DataType.DT_UINT64,
      DataType.DT_BOOL, DataType.DT_DOUBLE, DataType.DT_HALF, DataType.DT_BFLOAT16);

  /** TF Java's tensor class per non-float32 type a TF2 variable is read as (a {@code ReadVariableOp}'s dtype). */
  private static final java.util.Map<DataType, Class<? extends org.tensorflow.types.family.TType>> READABLE =
      java.util.Map.of(DataType.DT_INT32, org.tensorflow.types.TInt32.class,
          DataType.DT_INT64, org.tensorflow.types.TInt64.class,
          DataType.DT_UINT8, org.tensorflow.types.TUint8.class,
          DataType.DT_UINT16, org.tensorflow.types.TUint16.class,
          DataType.DT_BOOL, org.tensorflow.types.TBool.class,
          DataType.DT_DOUBLE, org.tensorflow.types.TFloat64.class,
          DataType.DT_HALF, org.tensorflow.types.TFloat16.class,
          DataType.DT_BFLOAT16, org.tensorflow.types.TBfloat16.class);

  private VariableConstants() {}

  /**
   * One {@link Rewrite.ReplaceNode} per variable in {@code variables}, each a {@code Const} of its value.
   *
   * @throws BadInputException for a variable whose type a constant cannot hold as raw bytes (strings), named
   */
  public static List<Rewrite> of(Session session, List<String> variables, Path dir) {
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
        out.add(new Rewrite.ReplaceNode(constant(variables.get(i), t)));
      }
      if (!refused.isEmpty()) {
        throw new BadInputException(dir + ": variables " + refused + " are neither float nor numeric; Compresso "
            + "freezes numeric variables only");
      }
    }
    return out;
  }

  /**
   * Whether a TF2 (resource) variable of {@code type} can be frozen into a constant at import: the numeric
   * types besides float32 (which is imported as a trainable variable) that TF Java can read.
   */
  public static boolean isFrozenAtImport(DataType type) {
    return READABLE.containsKey(type);
  }

  /** TF Java's tensor class for reading a variable of {@code type} (float32 or {@link #isFrozenAtImport}). */
  public static Class<? extends org.tensorflow.types.family.TType> tensorClass(DataType type) {
    return type == DataType.DT_FLOAT ? org.tensorflow.types.TFloat32.class : READABLE.get(type);
  }

  /** A {@code Const} named {@code name} holding {@code t}'s value (a numeric type) as raw {@code tensor_content}. */
  public static NodeDef constant(String name, Tensor t) {
    byte[] bytes = new byte[(int) t.numBytes()];
    t.asRawTensor().data().read(bytes);
    TensorProto value = TensorProto.newBuilder().setDtype(t.dataType())
        .setTensorShape(Nodes.shape(t.shape().asArray())).setTensorContent(ByteString.copyFrom(bytes)).build();
    return Nodes.tensorConstant(name, value);
  }
}
