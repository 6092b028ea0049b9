package dev.compresso.validate;

import dev.compresso.BadInputException;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.data.InputFeeds;
import dev.compresso.data.NpzWriter;
import dev.compresso.data.SampleSource;
import dev.compresso.model.SavedModels;
import dev.compresso.model.keras.KerasImporter;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.tflite.SignatureInfo;
import dev.compresso.tflite.TensorDescriptor;
import dev.compresso.tflite.TfliteInterpreter;
import dev.compresso.tflite.TfliteModel;
import dev.compresso.train.metric.TaskKind;
import dev.compresso.train.task.LabelMismatchException;
import dev.compresso.train.task.ModelTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Measures a .tflite against the SavedModel it came from, the way the seed article judged its compressed
 * models: loss and task metrics on the same samples, how far each output is from the reference's, latency
 * at batch 1 (1 and T threads), peak resident memory of a process serving each model, and sizes on disk.
 *
 * <p>Quality and output error are computed in this process, one sample at a time (batch 1) through the
 * real TFLite interpreter ({@link TfliteInterpreter}, quantized inputs and outputs converted there) and
 * TF Java ({@link ReferenceModel}). Latency and memory come from {@link ModelProbe} children, one per
 * model and thread count, so neither model's memory nor TensorFlow's process-wide thread pool leaks into
 * the other's numbers.
 *
 * <p>Everything the inputs get wrong is found before anything is measured and reported as a
 * {@link BadInputException}: a missing or corrupt .tflite, a reference that is not a SavedModel, a .tflite
 * whose input does not match the reference's, data whose samples do not fit the models (both shapes named).
 */
public final class Validator {

  private Validator() {}

  /** {@link #validate(ValidationRequest, Consumer)} without progress messages. */
  public static ValidationResult validate(ValidationRequest request) {
    return validate(request, message -> {});
  }

  /**
   * Runs the whole validation.
   *
   * @param progress receives one line per stage (for stderr)
   */
  public static ValidationResult validate(ValidationRequest request, Consumer<String> progress) {
    return validate(request, progress, null);
  }

  /**
   * Runs the whole validation and, when {@code predictions} is not null, writes an {@code .npz} there with
   * the samples compared: {@code x} (inputs), {@code y} (targets), {@code tflite} and {@code reference}
   * (the two models' predictions of the task output), for pictures and further analysis.
   */
  public static ValidationResult validate(ValidationRequest request, Consumer<String> progress, Path predictions) {
    return validate(request, () -> DataSources.openSource(request.data()), progress, predictions);
  }

  /**
   * As {@link #validate(ValidationRequest, Consumer, Path)} on data already open ({@code request.data()} then
   * only names it). A reference with several inputs reads {@code request.data()} itself, a {@code .npz} with one
   * array per input ({@link InputFeeds}): {@code data} holds one input per sample.
   */
  public static ValidationResult validate(ValidationRequest request, SampleSource data, Consumer<String> progress,
      Path predictions) {
    return validate(request, () -> data, progress, predictions);
  }

  private static ValidationResult validate(ValidationRequest request, Supplier<SampleSource> open,
      Consumer<String> progress, Path predictions) {
    TfliteModel model = TfliteModel.read(request.tflite());
    if (!KerasImporter.isKerasFile(request.reference())) {
      SignatureDef def = SavedModels.signature(SavedModels.metaGraph(SavedModels.read(request.reference()),
          request.reference(), SavedModels.SERVE), request.reference(), request.signature());
      if (def.getInputsCount() > 1) {
        return validateSeveral(request, model, def, progress, predictions);
      }
    }
    SampleSource opened = open.get();
    ModelTask task = task(request, opened, progress);
    SampleSource all = task == null ? opened : task.adapt(opened);
    Dataset data = all.head(request.samples());
    progress.accept("validate: " + data.size() + " sample(s) of " + all.source());

    Compared compared = compare(model, request, InputFeeds.of(data, INPUT), progress, predictions, task);
    return measure(request, model, data.size(), compared, timedShape(data), progress);
  }

  /**
   * Validation of a model with several inputs: {@code request.data()} is a {@code .npz} with one array per input,
   * named by its key ({@link InputFeeds}), and an optional {@code y}; the task is inferred from {@code y}.
   */
  private static ValidationResult validateSeveral(ValidationRequest request, TfliteModel model, SignatureDef def,
      Consumer<String> progress, Path predictions) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Map.Entry<String, TensorInfo> in : new TreeMap<>(def.getInputsMap()).entrySet()) {
      shapes.put(in.getKey(), in.getValue().getTensorShape().getDimList().stream().mapToLong(d -> d.getSize())
          .toArray());
    }
    InputFeeds feeds = InputFeeds.read(request.data(), shapes).head(request.samples());
    progress.accept("validate: " + feeds.size() + " sample(s) of " + feeds.source() + ", inputs "
        + String.join(", ", shapes.keySet()));
    Compared compared = compare(model, request, feeds, progress, predictions, null);
    return measure(request, model, feeds.size(), compared, null, progress);
  }

  /** The timing probes and sizes, after the comparison. */
  private static ValidationResult measure(ValidationRequest request, TfliteModel model, int samples,
      Compared compared, String timedShape, Consumer<String> progress) {
    List<ProbeResult> tfliteRuns = new ArrayList<>();
    List<ProbeResult> referenceRuns = new ArrayList<>();
    List<Integer> threadCounts = request.threads() == 1 ? List.of(1) : List.of(1, request.threads());
    for (int threads : threadCounts) {
      tfliteRuns.add(probe(new ProbeSpec(ProbeSpec.Runtime.TFLITE, request.tflite(), request.signature(), threads,
          request.runs(), request.warmup(), request.kernels()), progress));
    }
    for (int threads : threadCounts) {
      referenceRuns.add(probe(new ProbeSpec(ProbeSpec.Runtime.TENSORFLOW, request.reference(), request.signature(),
          threads, request.runs(), request.warmup(), request.kernels(), timedShape), progress));
    }
    ModelSizes sizes = ModelSizes.of(model.bytes(), ReferenceSize.of(request.reference(), request.signature()));
    return new ValidationResult(request, samples, compared.task, compared.tflite, compared.reference,
        compared.errors, tfliteRuns, referenceRuns, sizes, dev.compresso.diagnose.QuantBoundaries.summary(model));
  }

  /**
   * What {@link #validate(ValidationRequest, Consumer, Path)} does with the data, without timing: reads the
   * samples and runs the .tflite and the reference on them; the timing probes (a child process per runtime) are
   * left out. The format fuzz reads damaged data through it.
   *
   * @return the number of samples compared
   */
  public static int compareOnly(ValidationRequest request) {
    TfliteModel model = TfliteModel.read(request.tflite());
    Dataset data = DataSources.openSource(request.data()).head(request.samples());
    compare(model, request, InputFeeds.of(data, INPUT), line -> { }, null, null);
    return data.size();
  }

  /** One sample of the data, batch 1, as the reference's timed input ({@code 1,H,W,C}). */
  private static String timedShape(Dataset data) {
    StringBuilder b = new StringBuilder("1");
    for (long d : data.inputShape()) {
      b.append(',').append(d);
    }
    return b.toString();
  }

  private static ProbeResult probe(ProbeSpec spec, Consumer<String> progress) {
    progress.accept(String.format("validate: timing %s at %d thread(s), %d runs after %d warm-up, in a child process",
        spec.runtime() == ProbeSpec.Runtime.TFLITE ? "the .tflite" : "the reference", spec.threads(), spec.runs(),
        spec.warmup()));
    return ChildProbe.run(spec);
  }

  private record Compared(TaskKind task, ModelQuality tflite, ModelQuality reference, List<OutputError> errors) {}

  /**
   * The reference's task ({@link ModelTask}: its loss from a compile config or its output op, integer labels
   * one-hot), as fine-tuning resolves it; null when the reference cannot be imported for training (the task is
   * then inferred from the targets). Labels that cannot fit the output are refused.
   */
  private static ModelTask task(ValidationRequest request, SampleSource data, Consumer<String> progress) {
    return task(request.reference(), request.signature(), data, progress);
  }

  /**
   * The task of {@code reference} (signature {@code signature}) on {@code data}, as validate and fine-tuning
   * resolve it; null when it cannot be imported for training or ends in an integer head.
   */
  static ModelTask task(java.nio.file.Path reference, String signature, SampleSource data,
      Consumer<String> progress) {
    dev.compresso.model.ImportedModel imported;
    try (dev.compresso.api.CompressoModel m = dev.compresso.api.Compresso.load(reference, "serve", signature)) {
      imported = m.imported();
    } catch (BadInputException e) {
      return null;
    }
    try {
      ModelTask task = ModelTask.resolve(imported, data, dev.compresso.train.loss.Losses.AUTO);
      if (task.output().hasIntegerHead()) {
        // the .tflite and the reference both end in the integer head: their class maps are compared with the
        // labels as they are, not the float scores fine-tuning trains
        progress.accept("validate: the output is an integer head (" + task.output().integerHead() + "): class "
            + "maps compared as numbers");
        return null;
      }
      progress.accept("validate: " + task.describe());
      return task;
    } catch (LabelMismatchException e) {
      throw e;
    } catch (BadInputException e) {
      return null;
    }
  }

  /** The feed key a one-input {@link Dataset} is wrapped under ({@link InputFeeds#of}): its one input, any name. */
  private static final String INPUT = "x";

  private static Compared compare(TfliteModel model, ValidationRequest request, InputFeeds feeds,
      Consumer<String> progress, Path predictions, ModelTask resolved) {
    Dataset data = feeds.labels();
    try (ReferenceModel ref = ReferenceModel.open(request.reference(), request.signature(), 1);
        TfliteInterpreter it = TfliteInterpreter.open(model, InterpreterOptions.builder().optThreads(1)
            .optKernels(request.kernels()).optSignature(matchingSignature(model, ref).orElse(null)).build())) {
      // position in the .tflite's inputs of each reference input (reference key order), and its feed
      int[] tfliteInput;
      List<String> feedKeys;
      if (ref.inputKeys().size() == 1) {
        checkInputs(it, ref, data, request);
        tfliteInput = new int[] {0};
        feedKeys = List.of(feeds.feeds().get(0).key());
      } else {
        tfliteInput = checkInputs(it, ref, feeds, request);
        feedKeys = ref.inputKeys();
      }
      List<long[]> refShapes = new ArrayList<>();
      for (String key : feedKeys) {
        refShapes.add(prepend(1, feeds.feed(key).sampleShape()));
      }
      List<TensorDescriptor> outputs = it.outputs();
      List<String> refOutputs = ref.outputKeys();
      if (outputs.size() != refOutputs.size()) {
        throw new BadInputException(request.tflite() + " has " + outputs.size() + " output(s) " + names(outputs)
            + " but reference " + request.reference() + " signature '" + request.signature() + "' has "
            + refOutputs.size() + " " + refOutputs);
      }
      // A .npz without y: the reference's first output is the target (as fine-tuning distils from it).
      boolean unlabeled = data.targetShape().length == 1 && data.targetShape()[0] == 0;
      int target = unlabeled ? 0 : targetOutput(outputs, data, request);
      long[] targetShape = unlabeled ? perSample(outputs.get(0)) : data.targetShape();
      int[] pair = new int[outputs.size()];
      List<OutputError.Accumulator> errors = new ArrayList<>();
      for (int o = 0; o < outputs.size(); o++) {
        int byName = refOutputs.indexOf(outputs.get(o).name());
        pair[o] = it.options().signature().isPresent() && byName >= 0 ? byName : o;
        errors.add(new OutputError.Accumulator(outputs.get(o).name(), refOutputs.get(pair[o])));
      }
      if (unlabeled) {
        progress.accept("validate: no targets (y) in " + data.source() + ": the reference's output '"
            + refOutputs.get(pair[target]) + "' is the target");
      }
      int yPer = (int) Dataset.elements(targetShape);
      float[] predTflite = new float[data.size() * yPer];
      float[] predRef = new float[data.size() * yPer];
      progress.accept("validate: comparing the .tflite with the reference, batch 1");
      for (int s = 0; s < data.size(); s++) {
        float[][] x = new float[feedKeys.size()][];
        float[][] ordered = new float[feedKeys.size()][];
        for (int i = 0; i < x.length; i++) {
          x[i] = feeds.sample(feedKeys.get(i), s);
          ordered[tfliteInput[i]] = x[i];
        }
        float[][] a = it.run(ordered);
        float[][] b = ref.run(Arrays.asList(x), refShapes);
        for (int o = 0; o < a.length; o++) {
          float[] r = b[pair[o]];
          if (a[o].length != r.length) {
            throw new BadInputException(request.tflite() + " output '" + outputs.get(o).name() + "' gives "
                + a[o].length + " values per sample, reference output '" + refOutputs.get(pair[o]) + "' gives "
                + r.length);
          }
          errors.get(o).add(a[o], r);
        }
        System.arraycopy(a[target], 0, predTflite, s * yPer, yPer);
        System.arraycopy(b[pair[target]], 0, predRef, s * yPer, yPer);
      }
      float[] targets = unlabeled ? predRef.clone() : data.targets();
      TaskKind task = resolved == null ? TaskKind.infer(targetShape, targets) : resolved.kind();
      dev.compresso.train.loss.Loss loss = resolved == null ? task.loss() : resolved.loss();
      List<dev.compresso.train.metric.Metric> metrics = resolved == null ? task.metrics()
          : resolved.metricsOfOutputs();
      long[] shape = prepend(data.size(), targetShape);
      if (predictions != null) {
        NpzWriter writer = new NpzWriter();
        if (feedKeys.size() == 1) {
          writer.add("x", data.inputs(), prepend(data.size(), data.inputShape()));
        } else {
          for (InputFeeds.Feed f : feeds.feeds()) {
            writer.add(f.key(), f.values(), prepend(data.size(), f.sampleShape()));
          }
        }
        writer.add("y", targets, shape).add("tflite", predTflite, shape).add("reference", predRef, shape)
            .write(predictions);
        progress.accept("validate: wrote the samples and both models' predictions to " + predictions);
      }
      ModelQuality qt = ModelQuality.score(loss, metrics, targets, predTflite, shape);
      ModelQuality qr = ModelQuality.score(loss, metrics, targets, predRef, shape);
      return new Compared(task, qt, qr, errors.stream().map(OutputError.Accumulator::result).toList());
    }
  }

  /** A signature of the .tflite with the reference's output keys, so outputs pair by name; else by position. */
  private static Optional<String> matchingSignature(TfliteModel model, ReferenceModel ref) {
    for (SignatureInfo s : model.signatures()) {
      if (s.subgraph() == 0 && s.inputs().size() == ref.inputKeys().size()
          && (s.inputs().size() == 1 || new HashSet<>(s.inputs().keySet()).equals(new HashSet<>(ref.inputKeys())))
          && new HashSet<>(s.outputs().keySet()).equals(new HashSet<>(ref.outputKeys()))) {
        return Optional.of(s.key());
      }
    }
    return Optional.empty();
  }

  /**
   * Checks that the .tflite and the reference take the same single input, and that the data's samples fit
   * it; resizes a .tflite batch other than 1 to 1. Returns the input shape of one sample.
   */
  private static long[] checkInputs(TfliteInterpreter it, ReferenceModel ref, Dataset data, ValidationRequest request) {
    List<TensorDescriptor> inputs = it.inputs();
    if (inputs.size() != 1) {
      throw new BadInputException(request.tflite() + " has " + inputs.size() + " inputs " + names(inputs)
          + " but reference " + request.reference() + " signature '" + request.signature() + "' has one, '"
          + ref.inputKey() + "'");
    }
    TensorDescriptor in = inputs.get(0);
    long[] tflite = Arrays.stream(in.shape()).asLongStream().toArray();
    long[] reference = ref.inputShape();
    String tfliteName = request.tflite() + " input '" + in.name() + "' " + Arrays.toString(tflite);
    String refName = "reference " + request.reference() + " signature '" + request.signature() + "' input '"
        + ref.inputKey() + "' " + Arrays.toString(reference);
    if (tflite.length == 0 || !fits(Arrays.copyOfRange(tflite, 1, tflite.length), reference)) {
      throw new BadInputException(tfliteName + " does not match " + refName);
    }
    long[] sample = data.inputShape();
    String dataName = "data " + data.source() + " has inputs of shape " + Arrays.toString(sample) + " per sample";
    if (!Arrays.equals(Arrays.copyOfRange(tflite, 1, tflite.length), sample)) {
      throw new BadInputException(dataName + ", but " + tfliteName + " takes " + Arrays.toString(
          Arrays.copyOfRange(tflite, 1, tflite.length)) + " per sample (batch first)");
    }
    if (!fits(sample, reference)) {
      throw new BadInputException(dataName + ", but " + refName + " does not take them");
    }
    if (tflite[0] != 1) {
      int[] one = in.shape();
      one[0] = 1;
      it.resizeInput(0, one);
    }
    return sample;
  }

  /**
   * Pairs each reference input (key order) with a .tflite input: by name (the signature's key, or the converter's
   * tensor name {@code <signature>_<key>}), else by position; checks that each feed's samples fit both; resizes a
   * .tflite batch other than 1 to 1.
   *
   * @return the .tflite input position of each reference input
   */
  private static int[] checkInputs(TfliteInterpreter it, ReferenceModel ref, InputFeeds feeds,
      ValidationRequest request) {
    List<TensorDescriptor> inputs = it.inputs();
    List<String> keys = ref.inputKeys();
    if (inputs.size() != keys.size()) {
      throw new BadInputException(request.tflite() + " has " + inputs.size() + " input(s) " + names(inputs)
          + " but reference " + request.reference() + " signature '" + request.signature() + "' has "
          + keys.size() + " " + keys);
    }
    int[] position = new int[keys.size()];
    boolean[] taken = new boolean[inputs.size()];
    for (int k = 0; k < keys.size(); k++) {
      position[k] = -1;
      for (int i = 0; i < inputs.size() && position[k] < 0; i++) {
        String name = inputs.get(i).name();
        if (!taken[i] && (name.equals(keys.get(k)) || name.equals(request.signature() + "_" + keys.get(k)))) {
          position[k] = i;
        }
      }
      if (position[k] < 0) {
        position[k] = k;
      }
      if (taken[position[k]]) {
        throw new BadInputException(request.tflite() + " inputs " + names(inputs) + " cannot be paired with reference "
            + "inputs " + keys + " by name or position");
      }
      taken[position[k]] = true;
    }
    for (int k = 0; k < keys.size(); k++) {
      TensorDescriptor in = inputs.get(position[k]);
      long[] tflite = Arrays.stream(in.shape()).asLongStream().toArray();
      long[] sample = feeds.feed(keys.get(k)).sampleShape();
      String tfliteName = request.tflite() + " input '" + in.name() + "' " + Arrays.toString(tflite);
      if (tflite.length == 0 || !Arrays.equals(Arrays.copyOfRange(tflite, 1, tflite.length), sample)) {
        throw new BadInputException("data " + feeds.source() + " array " + keys.get(k) + " has " + Arrays.toString(
            sample) + " per sample, but " + tfliteName + " (paired with reference input '" + keys.get(k)
            + "') takes " + Arrays.toString(Arrays.copyOfRange(tflite, 1, Math.max(1, tflite.length)))
            + " per sample (batch first)");
      }
      if (!fits(sample, ref.inputShape(k))) {
        throw new BadInputException("data " + feeds.source() + " array " + keys.get(k) + " has " + Arrays.toString(
            sample) + " per sample, but reference " + request.reference() + " signature '" + request.signature()
            + "' input '" + keys.get(k) + "' " + Arrays.toString(ref.inputShape(k)) + " does not take them");
      }
      if (tflite[0] != 1) {
        int[] one = in.shape();
        one[0] = 1;
        it.resizeInput(position[k], one);
      }
    }
    return position;
  }

  /** Whether a sample shape fits a model shape whose first dimension is the batch (-1 = any). */
  private static boolean fits(long[] sample, long[] model) {
    if (model.length != sample.length + 1) {
      return false;
    }
    for (int d = 0; d < sample.length; d++) {
      long m = model[d + 1];
      if (m >= 0 && m != sample[d]) {
        return false;
      }
    }
    return true;
  }

  /** The output the targets score: the first whose values per sample equal the target's. */
  private static int targetOutput(List<TensorDescriptor> outputs, Dataset data, ValidationRequest request) {
    long yPer = Dataset.elements(data.targetShape());
    for (int o = 0; o < outputs.size(); o++) {
      int[] shape = outputs.get(o).shape();
      long per = 1;
      for (int d = 1; d < shape.length; d++) {
        per *= shape[d];
      }
      if (shape.length > 0 && per == yPer) {
        return o;
      }
    }
    throw new BadInputException("data " + data.source() + " has targets of shape " + Arrays.toString(data.targetShape())
        + " per sample, but no output of " + request.tflite() + " has " + yPer + " values per sample: outputs "
        + describe(outputs));
  }

  /** An output's shape without its batch dimension. */
  private static long[] perSample(TensorDescriptor t) {
    int[] shape = t.shape();
    return Arrays.stream(shape, Math.min(1, shape.length), shape.length).asLongStream().toArray();
  }

  private static List<String> names(List<TensorDescriptor> ts) {
    return ts.stream().map(TensorDescriptor::name).toList();
  }

  private static String describe(List<TensorDescriptor> ts) {
    return String.join(", ", ts.stream().map(t -> "'" + t.name() + "' " + Arrays.toString(t.shape())).toList());
  }

  private static long[] prepend(long first, long[] rest) {
    long[] s = new long[rest.length + 1];
    s[0] = first;
    System.arraycopy(rest, 0, s, 1, rest.length);
    return s;
  }
}
