package dev.compresso.validate;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.model.DiskUsage;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.SavedModels;
import dev.compresso.model.keras.KerasImporter;
import java.io.IOException;
import java.nio.file.Files;
import dev.compresso.train.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.Tensor;

/**
 * The source model of a .tflite, served by TF Java through one signature of its SavedModel: a TF1-style
 * graph or a TF2/Keras export alike, since the signature's tensors ({@code serving_default_x:0},
 * {@code StatefulPartitionedCall:0}) are fed and fetched in the loaded session as TensorFlow Serving
 * does. Inputs in key order (float32, or uint8/int32/int64 fed from float samples); float32 (or int32/int64)
 * outputs, in key order.
 * A Keras model file ({@code .keras}, {@code .h5}) is imported ({@link ModelImporter}), frozen with its batch
 * dimension unknown, and served the same way from a session of its own.
 *
 * <p>Threads: the session's {@code ConfigProto} sets {@code intra_op_parallelism_threads} to the thread
 * count and {@code inter_op_parallelism_threads} to 1. TensorFlow sizes its process-wide CPU thread pool
 * from the first session a process creates ({@code LocalDevice}'s global Eigen pool), so a second model
 * in the same process with another count keeps the first pool: measure each count in its own process
 * ({@link ModelProbe}).
 */
public final class ReferenceModel implements AutoCloseable {

  private final Path dir;
  private final String signature;
  private final Session session;
  private final AutoCloseable owner;
  private final List<String> inputKeys = new ArrayList<>();
  private final List<String> inputTensors = new ArrayList<>();
  private final List<DataType> inputTypes = new ArrayList<>();
  private final List<long[]> inputShapes = new ArrayList<>();
  private final List<String> outputKeys = new ArrayList<>();
  private final List<String> outputTensors = new ArrayList<>();

  /** A Keras model file: its imported graph, frozen with the batch left unknown, in its own session. */
  private ReferenceModel(Path file, FrozenGraph frozen, Graph graph, Session session) {
    this.dir = file;
    this.signature = frozen.signature();
    this.session = session;
    this.owner = () -> {
      session.close();
      graph.close();
    };
    for (FrozenGraph.Input in : frozen.inputs()) {
      inputKeys.add(in.key());
      inputTypes.add(in.dtype());
      inputTensors.add(in.node() + ":0");
      inputShapes.add(in.shape());
    }
    outputKeys.add(frozen.outputs().get(0).key());
    outputTensors.add(frozen.outputs().get(0).tensor());
  }

  private ReferenceModel(Path dir, String signature, SavedModelBundle bundle, SignatureDef def) {
    this.dir = dir;
    this.signature = signature;
    this.session = bundle.session();
    this.owner = bundle;
    if (def.getInputsCount() == 0) {
      throw new BadInputException("reference " + dir + " signature '" + signature + "' has no inputs");
    }
    for (Map.Entry<String, TensorInfo> in : new TreeMap<>(def.getInputsMap()).entrySet()) {
      String inputKey = in.getKey();
      DataType inputType = in.getValue().getDtype();
      if (!INPUT_TYPES.contains(inputType)) {
        throw new BadInputException("reference " + dir + " signature '" + signature + "' input '" + inputKey
            + "' is " + inputType + "; validate feeds float32, uint8, int32 or int64 inputs");
      }
      if (in.getValue().getName().isEmpty()) {
        throw new BadInputException("reference " + dir + " signature '" + signature + "' input '" + inputKey
            + "' is not a plain tensor (sparse or composite)");
      }
      if (in.getValue().getTensorShape().getUnknownRank()) {
        throw new BadInputException("reference " + dir + " signature '" + signature + "' input '" + inputKey
            + "' has unknown rank; validate needs its shape");
      }
      inputKeys.add(inputKey);
      inputTypes.add(inputType);
      inputTensors.add(in.getValue().getName());
      inputShapes.add(in.getValue().getTensorShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray());
    }
    if (def.getOutputsCount() == 0) {
      throw new BadInputException("reference " + dir + " signature '" + signature + "' has no outputs");
    }
    for (Map.Entry<String, TensorInfo> out : new TreeMap<>(def.getOutputsMap()).entrySet()) {
      if (!INTEGER_OUTPUTS.contains(out.getValue().getDtype())) {
        requireFloat(out.getValue(), "output", out.getKey());
      }
      outputKeys.add(out.getKey());
      outputTensors.add(out.getValue().getName());
    }
  }

  /** Integer outputs compared as numbers (an ArgMax class map, a final Cast): class ids read as floats. */
  static final java.util.Set<DataType> INTEGER_OUTPUTS = java.util.Set.of(DataType.DT_INT32, DataType.DT_INT64,
      DataType.DT_UINT8);

  /** The input element types {@link #run(float[], long[])} converts the float samples to. */
  static final java.util.Set<DataType> INPUT_TYPES = java.util.Set.of(DataType.DT_FLOAT, DataType.DT_UINT8,
      DataType.DT_INT32, DataType.DT_INT64);

  private void requireFloat(TensorInfo info, String what, String key) {
    if (info.getDtype() != DataType.DT_FLOAT) {
      throw new BadInputException("reference " + dir + " signature '" + signature + "' " + what + " '" + key
          + "' is " + info.getDtype() + "; validate compares float32 (DT_FLOAT) inputs and outputs");
    }
    if (info.getName().isEmpty()) {
      throw new BadInputException("reference " + dir + " signature '" + signature + "' " + what + " '" + key
          + "' is not a plain tensor (sparse or composite)");
    }
  }

  /**
   * Loads the SavedModel in {@code dir} (tag {@code serve}) with its checks ({@link SavedModels#load}) and
   * prepares {@code signature}.
   *
   * @param threads intra-op threads of the session, at least 1
   * @throws BadInputException when {@code dir} is not a loadable SavedModel or the signature is missing or
   *     not one float32 input with float32 outputs
   */
  public static ReferenceModel open(Path dir, String signature, int threads) {
    if (threads < 1) {
      throw new BadInputException("reference threads must be at least 1, got " + threads);
    }
    if (KerasImporter.isKerasFile(dir)) {
      return openKeras(dir, signature, threads);
    }
    SignatureDef def = SavedModels.signature(
        SavedModels.metaGraph(SavedModels.read(dir), dir, SavedModels.SERVE), dir, signature);
    ConfigProto config = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(threads)
        .setInterOpParallelismThreads(1)
        .build();
    SavedModelBundle bundle = SavedModels.load(dir, SavedModels.SERVE, config);
    try {
      return new ReferenceModel(dir, signature, bundle, def);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /**
   * A Keras model file ({@code .keras}, {@code .h5}): imported ({@link ModelImporter}), frozen with the batch
   * dimension left unknown, and run in a TF Java session of its own with the same thread settings.
   */
  private static ReferenceModel openKeras(Path file, String signature, int threads) {
    FrozenGraph frozen = Freezer.freeze(ModelImporter.read(file, SavedModels.SERVE, signature), 0);
    Graph graph = new Graph();
    try {
      graph.importGraphDef(frozen.graphDef());
      Session session = new Session(graph, sessionConfig(threads));
      return new ReferenceModel(file, frozen, graph, session);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  private static ConfigProto sessionConfig(int threads) {
    return ConfigProto.newBuilder().setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(1).build();
  }

  /** Bytes the reference takes on disk: a SavedModel directory's parts, or a Keras file's size (as variables). */
  public static DiskUsage diskUsage(Path model) {
    if (KerasImporter.isKerasFile(model)) {
      try {
        long size = Files.size(model);
        return new DiskUsage(0, size, size);
      } catch (IOException e) {
        throw new BadInputException("cannot measure " + model + ": " + e.getMessage(), e);
      }
    }
    return SavedModels.diskUsage(model);
  }

  public Path dir() {
    return dir;
  }

  public String signature() {
    return signature;
  }

  /** The first input's key (the only one of a one-input model). */
  public String inputKey() {
    return inputKeys.get(0);
  }

  /** Every input key, sorted: the order {@link #run(List)} takes the inputs in. */
  public List<String> inputKeys() {
    return List.copyOf(inputKeys);
  }

  /** The first input's shape; -1 where a dimension is unknown (usually the batch). */
  public long[] inputShape() {
    return inputShape(0);
  }

  /** Input {@code i}'s shape (in {@link #inputKeys()} order); -1 where a dimension is unknown. */
  public long[] inputShape(int i) {
    return inputShapes.get(i).clone();
  }

  /** Output keys in sorted order, the order {@link #run} returns them in. */
  public List<String> outputKeys() {
    return List.copyOf(outputKeys);
  }

  /**
   * Runs the signature on one input of shape {@code shape} (which must fit {@link #inputShape()}).
   *
   * @return every output's values, row-major, in {@link #outputKeys()} order
   */
  public float[][] run(float[] input, long[] shape) {
    try (Tensor x = inputOf(input, shape)) {
      return run(x);
    }
  }

  /**
   * Runs the signature on one value array per input, in {@link #inputKeys()} order, each of the shape given.
   *
   * @return every output's values, row-major, in {@link #outputKeys()} order
   */
  public float[][] run(List<float[]> inputs, List<long[]> shapes) {
    List<Tensor> tensors = new ArrayList<>();
    try {
      for (int i = 0; i < inputs.size(); i++) {
        tensors.add(inputOf(i, inputs.get(i), shapes.get(i)));
      }
      return run(tensors);
    } finally {
      tensors.forEach(Tensor::close);
    }
  }

  /**
   * A tensor of the input's element type holding {@code values} (rounded and clamped to the type's range
   * for integer inputs, as a uint8 image or token ids are stored as floats in a dataset). The caller closes it.
   */
  public Tensor inputOf(float[] values, long[] shape) {
    return inputOf(0, values, shape);
  }

  /** As {@link #inputOf(float[], long[])} for input {@code i} (in {@link #inputKeys()} order). */
  public Tensor inputOf(int i, float[] values, long[] shape) {
    return Tensors.ofType(inputTypes.get(i), values, shape);
  }

  /** A float32, int32, int64 or uint8 output as floats (class ids are exact up to 2^24). */
  private static float[] numbers(Tensor t) {
    if (t instanceof org.tensorflow.types.TUint8 b) {
      float[] out = new float[(int) b.size()];
      var data = b.asRawTensor().data();
      for (int i = 0; i < out.length; i++) {
        out[i] = data.getByte(i) & 0xff;
      }
      return out;
    }
    if (t instanceof org.tensorflow.types.TInt64 l) {
      float[] out = new float[(int) l.size()];
      var data = l.asRawTensor().data().asLongs();
      for (int i = 0; i < out.length; i++) {
        out[i] = data.getLong(i);
      }
      return out;
    }
    if (t instanceof org.tensorflow.types.TInt32 n) {
      float[] out = new float[(int) n.size()];
      var data = n.asRawTensor().data().asInts();
      for (int i = 0; i < out.length; i++) {
        out[i] = data.getInt(i);
      }
      return out;
    }
    return Tensors.read(t);
  }

  /** Runs the signature on an input tensor (of the input's element type) the caller owns. */
  public float[][] run(Tensor input) {
    return run(List.of(input));
  }

  /** Runs the signature on one tensor per input (in {@link #inputKeys()} order) the caller owns. */
  public float[][] run(List<Tensor> inputs) {
    if (inputs.size() != inputTensors.size()) {
      throw new BadInputException("reference " + dir + " signature '" + signature + "' takes " + inputTensors.size()
          + " input(s) " + inputKeys + ", got " + inputs.size());
    }
    Session.Runner runner = session.runner();
    for (int i = 0; i < inputs.size(); i++) {
      runner.feed(inputTensors.get(i), inputs.get(i));
    }
    for (String t : outputTensors) {
      runner.fetch(t);
    }
    try (Result r = runner.run()) {
      float[][] out = new float[outputTensors.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = numbers(r.get(i));
      }
      return out;
    } catch (TensorFlowException e) {
      throw new BadInputException("reference " + dir + " failed on an input of shape "
          + inputs.stream().map(t -> Arrays.toString(t.shape().asArray())).collect(java.util.stream.Collectors
              .joining(", ")) + ": " + firstLine(e.getMessage()), e);
    } catch (IllegalArgumentException e) {
      throw CompressoException.internal("reference " + dir + " returned a non-float output: " + e.getMessage(), e);
    }
  }

  private static String firstLine(String s) {
    return s == null ? "(no message)" : s.strip().lines().findFirst().orElse("(no message)");
  }

  @Override
  public void close() {
    try {
      owner.close();
    } catch (Exception e) {
      throw CompressoException.internal("closing reference " + dir + ": " + e.getMessage(), e);
    }
  }
}
