package dev.compresso.model;

import dev.compresso.BadInputException;
import dev.compresso.train.TrainableGraph;
import dev.compresso.train.TrainableVariable;
import dev.compresso.train.VariableStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * An {@link ImportedModel} live in TF Java: its GraphDef imported into a {@link Graph}, every variable
 * adopted by a {@link VariableStore} and set to its value, and a {@link TrainableGraph} view whose
 * trainables are the variables {@code trainable} accepts. Closing it closes the session and graph.
 */
public final class ModelSession implements AutoCloseable {

  private final ImportedModel model;
  private final Graph graph;
  private final Session session;
  private final VariableStore store;
  private final TrainableGraph trainable;

  public ModelSession(ImportedModel model, Predicate<String> trainable) {
    this(model, trainable, null);
  }

  /** As {@link #ModelSession(ImportedModel, Predicate)}, with the session's {@code ConfigProto} (null: TF's defaults). */
  public ModelSession(ImportedModel model, Predicate<String> trainable, ConfigProto config) {
    this(model, trainable, config, null);
  }

  /**
   * As {@link #ModelSession(ImportedModel, Predicate, ConfigProto)}, with {@code extra} nodes imported together
   * with the model's graph (they may read its tensors; e.g. distillation's teacher), or null for none.
   */
  public ModelSession(ImportedModel model, Predicate<String> trainable, ConfigProto config,
      org.tensorflow.proto.GraphDef extra) {
    this.model = model;
    this.graph = new Graph();
    try {
      graph.importGraphDef(extra == null ? model.graph()
          : model.graph().toBuilder().addAllNode(extra.getNodeList()).build());
    } catch (IllegalArgumentException e) {
      graph.close();
      throw new BadInputException(model.source() + ": TensorFlow rejected the graph: " + e.getMessage(), e);
    }
    this.session = config == null ? new Session(graph) : new Session(graph, config);
    this.store = new VariableStore(graph);
    List<TrainableVariable> trainables = new ArrayList<>();
    for (Map.Entry<String, ImportedModel.VariableValue> v : model.variables().entrySet()) {
      TrainableVariable tv = store.adopt(v.getKey(), output(v.getKey() + ":0"),
          output(ImportedModel.readOf(v.getKey()) + ":0"), v.getValue().shape());
      if (trainable.test(v.getKey())) {
        trainables.add(tv);
      }
    }
    Map<String, float[]> values = new LinkedHashMap<>();
    model.variables().forEach((k, v) -> values.put(k, v.values()));
    store.assign(session, values);
    this.trainable = new TrainableGraph(graph, output(model.inputTensor()), output(model.outputTensor()), trainables);
  }

  @SuppressWarnings("unchecked")
  private Output<TFloat32> output(String tensor) {
    Output<?> o = graph.output(tensor);
    if (o == null) {
      throw new BadInputException(model.source() + ": graph has no tensor " + tensor);
    }
    return (Output<TFloat32>) o;
  }

  public ImportedModel model() {
    return model;
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  public TrainableGraph trainable() {
    return trainable;
  }

  public VariableStore variables() {
    return store;
  }

  /** The current values of every variable, as an ImportedModel's variable map. */
  public Map<String, ImportedModel.VariableValue> values() {
    Map<String, float[]> now = store.read(session);
    Map<String, ImportedModel.VariableValue> out = new LinkedHashMap<>();
    now.forEach((k, v) -> out.put(k, new ImportedModel.VariableValue(store.get(k).shape(), v)));
    return out;
  }

  /** Exports this session as a SavedModel with the original signature's key and names, atomically. */
  public void export(Path dir, boolean overwrite) {
    SavedModelExporter.export(session, signature(), dir, overwrite);
  }

  /** Exports into an existing empty folder (the caller makes its whole output atomic). */
  public void exportInto(Path emptyDir) throws IOException {
    SavedModelExporter.exportInto(session, signature(), emptyDir);
  }

  private Signature signature() {
    return Signature.builder(model.signatureKey())
        .methodName(SavedModelExporter.PREDICT_METHOD)
        .input(model.inputKey(), trainable.input())
        .output(model.outputKey(), trainable.output())
        .build();
  }

  /** Operations of the graph, for tests and reports. */
  public List<GraphOperation> operations() {
    List<GraphOperation> ops = new ArrayList<>();
    graph.operations().forEachRemaining(ops::add);
    return ops;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
