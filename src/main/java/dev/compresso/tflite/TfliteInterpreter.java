package dev.compresso.tflite;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteBuiltinDelegate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteOk;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolverWithoutDefaultDelegates;
import org.bytedeco.tensorflowlite.ErrorReporter;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.TfLiteDelegate;
import org.bytedeco.tensorflowlite.TfLiteTensor;

/**
 * The real TFLite 2.19 interpreter (bytedeco presets) running one validated model.
 *
 * <p>Safety: the model has passed {@link TfliteReader}'s index checks and is loaded only through TFLite's
 * verifier ({@code FlatBufferModel::VerifyAndBuildFromBuffer}); operators resolve through
 * {@code BuiltinOpResolverWithoutDefaultDelegates}, and XNNPACK, when asked for, is created here with
 * explicit flags ({@code TfLiteXNNPackDelegateCreate}) and applied with {@code ModifyGraphWithDelegate}.
 * The default resolver would apply XNNPACK to float graphs only; {@link InterpreterOptions.Kernels#XNNPACK}
 * sets {@code TFLITE_XNNPACK_DELEGATE_FLAG_QS8 | QU8} so int8/uint8 operators run in XNNPACK too.
 *
 * <p>Values: {@link #run(float[]...)} takes and returns floats. Quantized inputs are quantized with their
 * tensor's scale and zero point ({@code q = clamp(round(x / scale) + zero_point)}, rounding half away from
 * zero like TFLite's {@code QUANTIZE}), quantized outputs dequantized ({@code x = scale * (q - zero_point)}).
 * {@link #setInputBytes} / {@link #outputBytes} give the raw tensor bytes.
 *
 * <p>Resizing an input rebuilds the native interpreter (a delegated graph cannot be resized in place).
 * Not thread-safe; close it (try-with-resources) to free the native memory.
 */
public final class TfliteInterpreter implements AutoCloseable {

  private final TfliteModel model;
  private final InterpreterOptions options;
  private final List<String> inputNames = new ArrayList<>();
  private final int[] inputTensors;
  private final List<String> outputNames = new ArrayList<>();
  private final int[] outputTensors;
  private final Map<Integer, int[]> resized = new LinkedHashMap<>();

  private long reporter;
  private BytePointer modelBytes;
  private FlatBufferModel flatBufferModel;
  private BuiltinOpResolverWithoutDefaultDelegates resolver;
  private Interpreter interpreter;
  private long delegate;
  private int delegatedOperators;
  private int xnnpackFlags;

  private TfliteInterpreter(TfliteModel model, InterpreterOptions options) {
    this.model = model;
    this.options = options;
    SubgraphInfo primary = model.primarySubgraph();
    if (options.signature().isPresent()) {
      String key = options.signature().get();
      SignatureInfo sig = model.signature(key).orElseThrow(() -> new BadInputException(model.source()
          + ": no signature '" + key + "'; the model has " + model.signatures().stream().map(SignatureInfo::key)
          .toList()));
      if (sig.subgraph() != 0) {
        throw new BadInputException(model.source() + ": signature '" + key + "' runs subgraph " + sig.subgraph()
            + "; only signatures of subgraph 0 can be run");
      }
      inputNames.addAll(sig.inputs().keySet());
      inputTensors = sig.inputs().values().stream().mapToInt(Integer::intValue).toArray();
      outputNames.addAll(sig.outputs().keySet());
      outputTensors = sig.outputs().values().stream().mapToInt(Integer::intValue).toArray();
    } else {
      inputTensors = primary.inputs();
      outputTensors = primary.outputs();
      for (int t : inputTensors) {
        inputNames.add(primary.tensor(t).name());
      }
      for (int t : outputTensors) {
        outputNames.add(primary.tensor(t).name());
      }
    }
  }

  /** Reads, validates and opens a .tflite file. */
  public static TfliteInterpreter open(Path file, InterpreterOptions options) {
    return open(TfliteModel.read(file), options);
  }

  /**
   * Opens a validated model in the interpreter and allocates its tensors.
   *
   * @throws BadInputException when TFLite's verifier or interpreter rejects the model (its message included)
   */
  public static TfliteInterpreter open(TfliteModel model, InterpreterOptions options) {
    TfliteNative.load();
    TfliteInterpreter it = new TfliteInterpreter(model, options);
    try {
      it.load();
      it.build();
      return it;
    } catch (RuntimeException e) {
      it.close();
      throw e;
    }
  }

  private void load() {
    reporter = TfliteNative.reporterCreate();
    byte[] bytes = model.rawBytes();
    // The FlatBufferModel reads from this memory for its whole life (constant tensors point into it).
    modelBytes = new BytePointer(bytes.length);
    modelBytes.put(bytes, 0, bytes.length);
    flatBufferModel = FlatBufferModel.VerifyAndBuildFromBuffer(modelBytes, bytes.length, null, errorReporter());
    if (flatBufferModel == null || flatBufferModel.isNull()) {
      throw new BadInputException(model.source() + ": TFLite's verifier rejected the model: " + takeMessages());
    }
    resolver = new BuiltinOpResolverWithoutDefaultDelegates();
  }

  private ErrorReporter errorReporter() {
    return new ErrorReporter(new Pointer() {
      {
        address = reporter;
      }
    });
  }

  private String takeMessages() {
    String m = reporter == 0 ? "" : TfliteNative.reporterTake(reporter);
    // Drop the build machine's path before TFLite's own source path.
    m = m.replaceAll("\\S*/(tensorflow/lite/)", "$1");
    return m.isEmpty() ? "(no message)" : m;
  }

  /** (Re)creates the native interpreter: resizes, delegate, allocation. */
  private void build() {
    releaseInterpreter();
    Interpreter created = new Interpreter((Pointer) null);
    try (org.bytedeco.tensorflowlite.InterpreterOptions nativeOptions = preserving(options.preserveAllTensors());
        InterpreterBuilder builder = new InterpreterBuilder(flatBufferModel, resolver, nativeOptions)) {
      builder.SetNumThreads(options.threads());
      if (builder.apply(created) != kTfLiteOk || created.isNull()) {
        throw new BadInputException(model.source() + ": TFLite cannot build an interpreter: " + takeMessages());
      }
    }
    interpreter = created;
    for (Map.Entry<Integer, int[]> e : resized.entrySet()) {
      if (interpreter.ResizeInputTensor(inputTensors[e.getKey()], e.getValue()) != kTfLiteOk) {
        throw new BadInputException(model.source() + ": cannot resize input '" + inputNames.get(e.getKey())
            + "' to " + Arrays.toString(e.getValue()) + ": " + takeMessages());
      }
    }
    delegatedOperators = 0;
    xnnpackFlags = 0;
    if (options.kernels() != InterpreterOptions.Kernels.BUILTIN) {
      applyXnnpack();
    }
    if (interpreter.AllocateTensors() != kTfLiteOk) {
      throw new BadInputException(model.source() + ": TFLite cannot allocate the tensors: " + takeMessages());
    }
  }

  /** TFLite's interpreter options; the builder copies them when it is constructed. */
  private static org.bytedeco.tensorflowlite.InterpreterOptions preserving(boolean preserveAllTensors) {
    org.bytedeco.tensorflowlite.InterpreterOptions o = new org.bytedeco.tensorflowlite.InterpreterOptions();
    o.SetPreserveAllTensors(preserveAllTensors);
    return o;
  }

  private void applyXnnpack() {
    int flags = options.kernels() == InterpreterOptions.Kernels.XNNPACK
        ? TfliteNative.XNNPACK_FLAG_QS8 | TfliteNative.XNNPACK_FLAG_QU8 : 0;
    delegate = TfliteNative.createXnnpack(options.threads(), flags);
    if (delegate == 0) {
      throw CompressoException.internal("TfLiteXNNPackDelegateCreate returned null: " + takeMessages(), null);
    }
    xnnpackFlags = TfliteNative.xnnpackFlags(delegate);
    int before = operatorCount();
    int status = interpreter.ModifyGraphWithDelegate(new TfLiteDelegate(new Pointer() {
      {
        address = delegate;
      }
    }));
    if (status != kTfLiteOk) {
      throw new BadInputException(model.source() + ": the XNNPACK delegate failed on this model (status "
          + status + "): " + takeMessages() + "; run with kernels BUILTIN");
    }
    IntPointer plan = interpreter.execution_plan();
    int planSize = (int) plan.limit();
    int delegateKernels = 0;
    for (int i = 0; i < planSize; i++) {
      if (interpreter.node_and_registration(plan.get(i)).second().builtin_code() == kTfLiteBuiltinDelegate) {
        delegateKernels++;
      }
    }
    delegatedOperators = before - (planSize - delegateKernels);
  }

  /** Operators in the primary subgraph. */
  public int operatorCount() {
    return model.primarySubgraph().operators().size();
  }

  /** Operators of the primary subgraph that the XNNPACK delegate took over (0 with builtin kernels). */
  public int delegatedOperators() {
    return delegatedOperators;
  }

  /** The flags the XNNPACK delegate reports ({@code TfLiteXNNPackDelegateGetFlags}); 0 without it. */
  public int xnnpackFlags() {
    return xnnpackFlags;
  }

  public TfliteModel model() {
    return model;
  }

  public InterpreterOptions options() {
    return options;
  }

  /** The inputs, in signature order or the subgraph's order, with their current shapes. */
  public List<TensorDescriptor> inputs() {
    return describe(inputNames, inputTensors);
  }

  /** The outputs, in signature order or the subgraph's order, with their current shapes. */
  public List<TensorDescriptor> outputs() {
    return describe(outputNames, outputTensors);
  }

  private List<TensorDescriptor> describe(List<String> names, int[] tensors) {
    List<TensorDescriptor> out = new ArrayList<>();
    for (int i = 0; i < tensors.length; i++) {
      TfLiteTensor t = tensor(tensors[i]);
      int[] shape = TensorValues.shapeOf(t);
      String dtype = TfliteTypes.name(TensorValues.schemaType(t.type()));
      out.add(new TensorDescriptor(names.get(i), tensors[i], dtype == null ? "TYPE_" + t.type() : dtype, shape,
          t.params().scale(), t.params().zero_point()));
    }
    return out;
  }

  /** Position of the input with this name (signature name or tensor name). */
  public int inputIndex(String name) {
    int i = inputNames.indexOf(name);
    if (i < 0) {
      throw new BadInputException(model.source() + ": no input '" + name + "'; inputs are " + inputNames);
    }
    return i;
  }

  /** Position of the output with this name (signature name or tensor name). */
  public int outputIndex(String name) {
    int i = outputNames.indexOf(name);
    if (i < 0) {
      throw new BadInputException(model.source() + ": no output '" + name + "'; outputs are " + outputNames);
    }
    return i;
  }

  /**
   * Gives input {@code input} a new shape (e.g. another batch size) and reallocates.
   *
   * @throws BadInputException when TFLite rejects the shape
   */
  public void resizeInput(int input, int[] shape) {
    checkPosition(input, inputTensors.length, "input");
    for (int d : shape) {
      if (d < 1) {
        throw new BadInputException(model.source() + ": input '" + inputNames.get(input) + "' cannot take shape "
            + Arrays.toString(shape) + ": every dimension must be at least 1");
      }
    }
    resized.put(input, shape.clone());
    build();
  }

  /**
   * Runs the model on float inputs (quantized on the way in where the tensor is integer) and returns every
   * output as floats (dequantized where quantized), in {@link #outputs()} order.
   *
   * @throws BadInputException when the number of inputs or an input's length is wrong
   */
  public float[][] run(float[]... inputs) {
    if (inputs.length != inputTensors.length) {
      throw new BadInputException(model.source() + ": the model takes " + inputTensors.length + " input(s) "
          + inputNames + ", got " + inputs.length);
    }
    for (int i = 0; i < inputs.length; i++) {
      setInput(i, inputs[i]);
    }
    invoke();
    float[][] out = new float[outputTensors.length][];
    for (int o = 0; o < out.length; o++) {
      out[o] = output(o);
    }
    return out;
  }

  /** Runs with inputs by name; returns outputs by name. */
  public Map<String, float[]> run(Map<String, float[]> inputs) {
    float[][] ordered = new float[inputTensors.length][];
    for (Map.Entry<String, float[]> e : inputs.entrySet()) {
      ordered[inputIndex(e.getKey())] = e.getValue();
    }
    for (int i = 0; i < ordered.length; i++) {
      if (ordered[i] == null) {
        throw new BadInputException(model.source() + ": input '" + inputNames.get(i) + "' not given");
      }
    }
    float[][] out = run(ordered);
    Map<String, float[]> named = new LinkedHashMap<>();
    for (int o = 0; o < out.length; o++) {
      named.put(outputNames.get(o), out[o]);
    }
    return named;
  }

  /** Writes float values into input {@code input}, quantizing for integer tensors. */
  public void setInput(int input, float[] values) {
    checkPosition(input, inputTensors.length, "input");
    TensorValues.write(tensor(inputTensors[input]), values, model.source() + ": input '" + inputNames.get(input) + "'");
  }

  /** Writes raw bytes (little-endian, the tensor's own dtype) into input {@code input}. */
  public void setInputBytes(int input, byte[] bytes) {
    checkPosition(input, inputTensors.length, "input");
    TfLiteTensor t = tensor(inputTensors[input]);
    if (bytes.length != t.bytes()) {
      throw new BadInputException(model.source() + ": input '" + inputNames.get(input) + "' holds " + t.bytes()
          + " bytes, got " + bytes.length);
    }
    TensorValues.data(t).put(bytes);
  }

  /** Runs the model on the inputs already set. */
  public void invoke() {
    if (interpreter.Invoke() != kTfLiteOk) {
      throw new BadInputException(model.source() + ": TFLite failed to run the model: " + takeMessages());
    }
  }

  /** Output {@code output} as floats, dequantized for quantized integer tensors. */
  public float[] output(int output) {
    checkPosition(output, outputTensors.length, "output");
    return TensorValues.read(tensor(outputTensors[output]), model.source() + ": output '"
        + outputNames.get(output) + "'");
  }

  /**
   * Any tensor of the primary subgraph, by index, as floats (dequantized with its per-tensor scale and
   * zero point where quantized). Intermediate tensors hold their value of the last run only with {@link
   * InterpreterOptions#preserveAllTensors} and builtin kernels (a delegate keeps its intermediates to
   * itself); otherwise their memory has been reused.
   *
   * @throws BadInputException for an index out of range, a tensor without data, or a type that is not numeric
   */
  public float[] tensorValues(int index) {
    if (index < 0 || index >= interpreter.tensors_size()) {
      throw new BadInputException(model.source() + ": tensor " + index + " does not exist; the model has "
          + interpreter.tensors_size() + " tensors");
    }
    TfLiteTensor t = tensor(index);
    Pointer p = t.data().data();
    if (p == null || p.isNull()) {
      throw new BadInputException(model.source() + ": tensor " + index + " has no data");
    }
    return TensorValues.read(t, model.source() + ": tensor " + index);
  }

  /**
   * Attaches a native {@code tflite::Profiler} (its address; {@link OpProfiler} makes one) to the
   * interpreter, or detaches with 0. The profiler must outlive the attachment.
   */
  void setProfiler(long profiler) {
    interpreter.SetProfiler(profiler == 0 ? null : new org.bytedeco.tensorflowlite.Profiler(new Pointer() {
      {
        address = profiler;
      }
    }));
  }

  /** The builtin operator code of each node in the execution plan, in plan order (no delegate: node order). */
  int[] executionPlan() {
    IntPointer plan = interpreter.execution_plan();
    int[] out = new int[(int) plan.limit()];
    for (int i = 0; i < out.length; i++) {
      out[i] = plan.get(i);
    }
    return out;
  }

  /** Output {@code output}'s raw bytes (little-endian, the tensor's own dtype). */
  public byte[] outputBytes(int output) {
    checkPosition(output, outputTensors.length, "output");
    TfLiteTensor t = tensor(outputTensors[output]);
    byte[] out = new byte[(int) t.bytes()];
    TensorValues.data(t).get(out);
    return out;
  }

  /** TFLite's QUANTIZE: round half away from zero, add the zero point, clamp to the type's range. */
  static int quantize(float x, float scale, int zeroPoint, int min, int max) {
    return TensorValues.quantize(x, scale, zeroPoint, min, max);
  }

  private TfLiteTensor tensor(int index) {
    if (interpreter == null) {
      throw new IllegalStateException("interpreter is closed");
    }
    return interpreter.tensor(index);
  }

  private void checkPosition(int position, int count, String what) {
    if (position < 0 || position >= count) {
      throw new BadInputException(model.source() + ": " + what + " " + position + " does not exist; the model has "
          + count + " " + what + "(s)");
    }
  }

  private void releaseInterpreter() {
    if (interpreter != null) {
      interpreter.close();
      interpreter = null;
    }
    if (delegate != 0) {
      TfliteNative.xnnpackDelete(delegate);
      delegate = 0;
    }
  }

  /** Frees the interpreter, the delegate, the model and its bytes, in that order. */
  @Override
  public void close() {
    releaseInterpreter();
    if (resolver != null) {
      resolver.close();
      resolver = null;
    }
    if (flatBufferModel != null) {
      flatBufferModel.close();
      flatBufferModel = null;
    }
    if (modelBytes != null) {
      modelBytes.close();
      modelBytes = null;
    }
    if (reporter != 0) {
      TfliteNative.reporterDelete(reporter);
      reporter = 0;
    }
  }
}
