package dev.compresso.model;

import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;

/**
 * Describes a SavedModel directory without running TensorFlow: only {@code saved_model.pb} is parsed
 * and the files are measured. Problems that would make loading fail (see {@link GraphChecks}) are
 * reported in {@link MetaGraphInfo#problems()}, not thrown, so that a broken model can still be inspected.
 */
public final class SavedModelInspector {

  private SavedModelInspector() {}

  /**
   * @throws dev.compresso.BadInputException when the directory or its {@code saved_model.pb} cannot be
   *     read (see {@link SavedModels#read})
   */
  public static SavedModelInfo inspect(Path dir) {
    SavedModel model = SavedModels.read(dir);
    List<MetaGraphInfo> metaGraphs = new ArrayList<>();
    for (MetaGraphDef mg : model.getMetaGraphsList()) {
      metaGraphs.add(describe(dir, mg));
    }
    return new SavedModelInfo(SavedModelInfo.FORMAT, dir.toString(), SavedModels.diskUsage(dir), List.copyOf(metaGraphs));
  }

  static MetaGraphInfo describe(Path dir, MetaGraphDef mg) {
    GraphIndex index = GraphIndex.tolerant(mg.getGraphDef());
    SortedMap<String, SignatureDef> defs = new TreeMap<>(mg.getSignatureDefMap());
    List<SignatureInfo> signatures = defs.entrySet().stream().map(e -> SignatureInfo.of(e.getKey(), e.getValue())).toList();

    MetaGraphInfo.VariableSource source;
    List<VariableInfo> variables;
    if (VariableScanner.hasObjectGraphVariables(mg)) {
      source = MetaGraphInfo.VariableSource.OBJECT_GRAPH;
      variables = VariableScanner.fromObjectGraph(mg.getObjectGraphDef());
    } else {
      List<String> readRoots = new ArrayList<>();
      defs.forEach((key, def) -> {
        if (!key.equals(SignatureInfo.INIT_OP_KEY)) {
          readRoots.addAll(GraphChecks.outputNodes(def));
        }
      });
      source = MetaGraphInfo.VariableSource.GRAPH_NODES;
      variables = VariableScanner.fromGraph(mg, index, readRoots);
    }
    long parameters = 0;
    long trainable = 0;
    try {
      for (VariableInfo v : variables) {
        if (v.role() == VariableInfo.Role.PARAMETER && v.elements() > 0) {
          parameters = Math.addExact(parameters, v.elements());
          trainable = v.trainable() ? Math.addExact(trainable, v.elements()) : trainable;
        }
      }
    } catch (ArithmeticException e) {
      throw new BadInputException("SavedModel " + dir + " " + mg.getMetaInfoDef().getTagsList()
          + ": the variables' shapes add up to more than 2^63 values");
    }
    SortedMap<String, Integer> graphOps = OpHistogram.mainGraph(mg.getGraphDef());
    SortedMap<String, Integer> functionOps = OpHistogram.functionLibrary(mg.getGraphDef());
    return new MetaGraphInfo(
        List.copyOf(mg.getMetaInfoDef().getTagsList()),
        mg.getMetaInfoDef().getTensorflowVersion(),
        signatures,
        OpHistogram.total(graphOps),
        graphOps,
        mg.getGraphDef().getLibrary().getFunctionCount(),
        OpHistogram.total(functionOps),
        functionOps,
        source,
        List.copyOf(variables),
        parameters,
        trainable,
        parameters - trainable,
        List.copyOf(SavedModels.problems(dir, mg)));
  }
}
