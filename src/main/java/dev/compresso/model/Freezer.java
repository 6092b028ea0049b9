package dev.compresso.model;

import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.GeluRewrite;
import dev.compresso.graph.SignedZeroArgMaxRewrite;
import dev.compresso.graph.MaxPoolV2Rewrite;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.graph.TensorRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Freezes an {@link ImportedModel} into a {@link FrozenGraph}: every variable replaced by a {@code Const}
 * holding its value, every signature input's batch dimension fixed, every input and output the model kept. There is one road: a SavedModel of
 * either flavour (TF1 ref variables as TF Java writes them, or a TF2/Keras export) is first read by {@link
 * ModelImporter#read}, and every edit is a {@link Rewrite} applied by {@link GraphRewriter}.
 *
 * <p>Follows TensorFlow's {@code graph_util.convert_variables_to_constants} (a variable node becomes a
 * {@code Const} with the same name and its restored value); the importer already cut the graph to what
 * the signature's output needs ({@code graph_util.extract_sub_graph}). Variables are read through {@code
 * Identity}, and {@code Identity} of a {@code Const} is what the converter expects.
 *
 * <p>{@code MaxPoolV2} with constant window and strides (TF Java's max pool) becomes {@code MaxPool}, the
 * form the converter legalizes ({@link MaxPoolV2Rewrite}), TensorFlow's erfc gelu in the erf form it fuses
 * ({@link GeluRewrite}); device placements are cleared.
 */
public final class Freezer {

  /** The signature frozen when none is named. */
  public static final String DEFAULT_SIGNATURE = SavedModels.SERVING_DEFAULT;

  /** The SavedModel tag loaded. */
  public static final String SERVE_TAG = SavedModels.SERVE;

  /** The batch size an unknown leading input dimension is fixed to (the Edge TPU needs static shapes). */
  public static final int DEFAULT_BATCH = 1;

  private static final Set<String> REF_VARIABLE_OPS = ModelImporter.REF_VARIABLE_OPS;

  private Freezer() {}

  /** Freezes {@code serving_default} of the SavedModel in {@code dir} with the batch fixed to 1. */
  public static FrozenGraph freeze(Path dir) {
    return freeze(dir, DEFAULT_SIGNATURE, DEFAULT_BATCH);
  }

  /**
   * Freezes one signature of the SavedModel in {@code dir}: {@link ModelImporter#read}, then {@link
   * #freeze(ImportedModel, int)}.
   *
   * @param dir a SavedModel directory (holds {@code saved_model.pb}), tag {@code serve}
   * @param signature the signature key
   * @param batch the size an unknown leading input dimension is fixed to; 0 keeps it unknown
   */
  public static FrozenGraph freeze(Path dir, String signature, int batch) {
    return freeze(dir, signature, batch, ImportOptions.defaults());
  }

  /**
   * Freezes one signature of the SavedModel in {@code dir}, keeping the output {@code options} names (or
   * all) and fixing the input's shape where {@code options} gives one (its first dimension is then the
   * batch, in place of {@code batch}).
   *
   * @throws BadInputException also when the input has unknown dimensions besides the batch (naming the
   *     input and the {@code --input-shape} that fixes it)
   */
  public static FrozenGraph freeze(Path dir, String signature, int batch, ImportOptions options) {
    checkBatch(batch);
    ImportedModel model = ModelImporter.read(dir, SERVE_TAG, signature, options);
    int given = options.inputShape() == null ? batch : (int) options.inputShape().dims()[0];
    try {
      return freeze(model, given);
    } catch (BadInputException e) {
      throw ModelImporter.naming(dir, e);
    }
  }

  /**
   * Freezes an imported model: each {@code VariableV2} becomes a {@code Const} of its value in {@code
   * model.variables()}, and each input {@code Placeholder}'s unknown batch dimension is fixed to {@code batch}.
   * The graph is already cut to what the output needs (the importer did that).
   *
   * @param batch the size an unknown leading input dimension is fixed to; 0 keeps it unknown
   */
  public static FrozenGraph freeze(ImportedModel model, int batch) {
    checkBatch(batch);
    GraphIndex index = new GraphIndex(model.graph());
    List<Rewrite> rewrites = new ArrayList<>();
    for (Map.Entry<String, ImportedModel.VariableValue> v : model.variables().entrySet()) {
      rewrites.add(new Rewrite.ReplaceNode(Nodes.constant(v.getKey(), v.getValue().values(), v.getValue().shape())));
    }
    List<String> unrestored = new ArrayList<>();
    for (NodeDef n : index.nodes()) {
      if (REF_VARIABLE_OPS.contains(n.getOp()) && !model.variables().containsKey(n.getName())) {
        unrestored.add(n.getName());
      } else if (!n.getDevice().isEmpty() && !model.variables().containsKey(n.getName())) {
        rewrites.add(new Rewrite.ReplaceNode(Nodes.onAnyDevice(n)));
      }
    }
    if (!unrestored.isEmpty()) {
      throw new BadInputException(model.source() + ": variables " + unrestored + " have no value to freeze");
    }
    String where = model.source() + ": signature '" + model.signatureKey() + "'";
    List<FrozenGraph.Input> inputs = new ArrayList<>();
    for (ImportedModel.Input in : model.inputs()) {
      String inputNode = TensorRef.parse(in.tensor()).node();
      NodeDef placeholder = index.node(inputNode);
      AttrValue dtypeAttr = placeholder.getAttrMap().get("dtype");
      AttrValue shapeAttr = placeholder.getAttrMap().get("shape");
      if (dtypeAttr == null) {
        throw new BadInputException(model.source() + ": input " + in.key() + " (" + inputNode + ", "
            + placeholder.getOp() + ") has no dtype; the converter needs a Placeholder input");
      }
      if (shapeAttr == null || shapeAttr.getShape().getUnknownRank()) {
        throw new BadInputException(where + ": input '" + in.key() + "' (" + inputNode
            + ") has unknown rank; give its full shape with --input-shape, e.g. --input-shape " + in.key()
            + ":1,128,128,3");
      }
      DataType dtype = dtypeAttr.getType();
      long[] shape = shapeOf(shapeAttr.getShape(), batch);
      InputShape.requireStatic(where, in.key(), shape);
      if (placeholder.getOp().equals("Placeholder")) {
        rewrites.removeIf(r -> r instanceof Rewrite.ReplaceNode p && p.node().getName().equals(inputNode));
        rewrites.add(new Rewrite.ReplaceNode(Nodes.placeholder(inputNode, dtype, shape)));
      }
      inputs.add(new FrozenGraph.Input(in.key(), inputNode, dtype, shape));
    }
    GraphDef withConstants = GraphRewriter.apply(model.graph(), rewrites);
    GraphDef pools = GraphRewriter.apply(withConstants, MaxPoolV2Rewrite.rewrites(new GraphIndex(withConstants)));
    GraphDef gelu = GraphRewriter.apply(pools, GeluRewrite.rewrites(new GraphIndex(pools)));
    GraphDef frozen = GraphRewriter.apply(gelu, SignedZeroArgMaxRewrite.rewrites(new GraphIndex(gelu)));
    return new FrozenGraph(frozen, model.signatureKey(), inputs, model.outputs());
  }

  private static void checkBatch(int batch) {
    if (batch < 0) {
      throw new BadInputException("batch size must be 0 (keep unknown) or positive, got " + batch);
    }
  }

  private static long[] shapeOf(TensorShapeProto proto, int batch) {
    long[] shape = new long[proto.getDimCount()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = proto.getDim(i).getSize();
    }
    if (shape.length > 0 && shape[0] < 0 && batch > 0) {
      shape[0] = batch;
    }
    return shape;
  }
}
