package dev.compresso.tflite.convert;

import dev.compresso.BadInputException;
import dev.compresso.model.FrozenGraph;

/**
 * Converts a {@link FrozenGraph} to a TensorFlow Lite flatbuffer with the official MLIR converter inside
 * TF Java's native library ({@code tensorflow::ConvertGraphDefToTFLiteFlatBuffer}, TF 2.18).
 *
 * <p>Conversions run one at a time in a warm worker process ({@link ConverterWorker}) so that a fatal
 * check inside TensorFlow becomes a {@link dev.compresso.CompressoException} here instead of killing
 * this JVM; a dead worker is started again on the next call. The result is checked against the request
 * ({@link OutputCheck}): int8 that stayed float is a {@link BadInputException} naming the float tensors.
 */
public final class Converter {

  private static final WorkerClient WORKER = new WorkerClient();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(WORKER::close, "compresso-converter-shutdown"));
  }

  private Converter() {}

  /**
   * Converts {@code graph} as {@code options} ask and checks the result's tensor types.
   *
   * @return the .tflite flatbuffer
   * @throws BadInputException when the converter rejects the graph (its message names the nodes) or the
   *     result is not the precision asked for (e.g. int8 from a graph without FakeQuant ranges)
   * @throws dev.compresso.CompressoException (internal) when the worker dies or the bridge cannot load
   */
  public static byte[] convert(FrozenGraph graph, ConversionOptions options) {
    if (options.precision() == Precision.INT16X8) {
      // int16 I/O: the int8 model's int8 I/O tensors become int16 like every other activation; the ops kept
      // float there (DEQUANTIZE in, QUANTIZE out) stay float, between int16 tensors.
      byte[] int8 = convert(graph, ConversionOptions.builder(Precision.INT8)
          .optIo(options.io() == IoType.INT16 ? IoType.INT8 : IoType.FLOAT).optKeepFloat(options.keepFloat()).build());
      byte[] int16 = Int16Activations.apply(int8);
      OutputCheck.verify(int16, options, options.keepFloat().isEmpty() ? java.util.Set.of() : OutputCheck.floatTensors(int8));
      return loaded(int16, "16x8 model");
    }
    byte[] tflite = WORKER.convert(graph.graphDef().toByteArray(), ConverterFlagSets.modelFlags(graph),
        ConverterFlagSets.converterFlags(options));
    ConversionOptions integer = ConversionOptions.builder(options.precision()).optIo(options.io()).build();
    if (options.precision() == Precision.INT8) {
      tflite = IntegerInputs.apply(tflite);
    }
    // Ops with no int8 kernel that --keep-float named: the converter already left them float.
    java.util.Set<String> convertedFloat = java.util.Set.of();
    if (!options.keepFloat().isEmpty()) {
      java.util.Set<Integer> named = new java.util.TreeSet<>();
      FloatLayers.opsOf(tflite, options.keepFloat()).values().forEach(named::addAll);
      convertedFloat = FloatLayers.tensorNames(tflite, FloatLayers.alreadyFloat(tflite, named));
    }
    if (options.precision() == Precision.INT8 && options.io() == IoType.UINT8) {
      OutputCheck.verify(tflite, ConversionOptions.builder(Precision.INT8).optIo(IoType.INT8).build(),
          convertedFloat);
      tflite = Uint8Io.apply(tflite);
    }
    OutputCheck.verify(tflite, integer, convertedFloat);
    if (!options.keepFloat().isEmpty()) {
      tflite = keepFloat(tflite, options.keepFloat());
    }
    return tflite;
  }

  /**
   * The checked integer model with the ops of {@code nodes} run in float ({@link FloatLayers}), loaded once
   * in the interpreter to prove it allocates.
   */
  private static byte[] keepFloat(byte[] tflite, java.util.Set<String> nodes) {
    java.util.Map<String, java.util.List<Integer>> ops = FloatLayers.opsOf(tflite, nodes);
    java.util.List<String> none = nodes.stream().filter(n -> !ops.containsKey(n)).sorted().toList();
    if (!none.isEmpty()) {
      throw new BadInputException("--keep-float: no op of the converted model computes " + none + " (the node is "
          + "fused into another op's output or folded away); name the last node of a fused layer, e.g. its ReLU "
          + "or bias add, or the concat");
    }
    java.util.Set<Integer> chosen = new java.util.TreeSet<>();
    ops.values().forEach(chosen::addAll);
    chosen.removeAll(FloatLayers.alreadyFloat(tflite, chosen));
    return loaded(chosen.isEmpty() ? tflite : FloatLayers.apply(tflite, chosen), "model with float layers");
  }

  /** {@code tflite}, once the interpreter has allocated and run it with TFLite's builtin kernels. */
  private static byte[] loaded(byte[] tflite, String what) {
    try (dev.compresso.tflite.TfliteInterpreter it = dev.compresso.tflite.TfliteInterpreter.open(
        dev.compresso.tflite.TfliteModel.fromBytes(tflite, what),
        dev.compresso.tflite.InterpreterOptions.builder().optKernels(
            dev.compresso.tflite.InterpreterOptions.Kernels.BUILTIN).build())) {
      it.invoke();
    }
    return tflite;
  }

  /**
   * The converter library's own descriptor of a flag message or enum, as proto text (e.g. {@code
   * tflite.ConverterFlags}); null when the library has no such type.
   */
  public static String describe(String protoTypeName) {
    return WORKER.describe(protoTypeName);
  }

  /** Stops the warm worker process (it also stops when this JVM exits). */
  public static void shutdown() {
    WORKER.close();
  }

  /** The worker shared by every conversion in this JVM (tests use it to kill the worker). */
  static WorkerClient worker() {
    return WORKER;
  }
}
