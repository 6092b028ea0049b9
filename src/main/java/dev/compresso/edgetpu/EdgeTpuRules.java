package dev.compresso.edgetpu;

import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TensorInfo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Coral's Edge TPU model requirements as one declarative table: the {@link #GENERAL} rules every mapped
 * operator must meet, the {@link #MODEL} rules on the model's inputs and outputs, and the {@link #OPS}
 * table of supported operators with their version limits and known limitations, one reason per rule.
 *
 * <p>Sources, as stored copies read for this table:
 * <ul>
 *   <li>Coral, "TensorFlow models on the Edge TPU" ({@value #MODELS_INTRO}): "Model requirements" (8-bit
 *       quantized tensors, sizes constant at compile time, constant model parameters, "If a tensor has more
 *       than 3 dimensions, then only the 3 innermost dimensions may have a size greater than 1", only the
 *       listed operations) and "Supported operations" with "Known limitations". The table was read in two
 *       copies: the 2019 version of the page (ops Logistic ... StridedSlice with limitations), and Axis's
 *       ARTPEC-7 page, which reproduces Coral's current table for the Edge TPU inside that chip
 *       (https://developer.axis.com/computer-vision/on-device/system-on-chip/artpec-7/supported-ops/,
 *       rows Add ... ResizeBilinear, with the newer limitations: equal dilation, no batch reduction,
 *       Pack/Pad not in the batch dimension, PReLU alpha, ReduceMax/Min).</li>
 *   <li>The one-partition rule ("the compiler cannot partition the model more than once, so ... the
 *       unsupported operator and every operator after it runs on the CPU"): Coral's models-intro
 *       ("Compiling"), also quoted on Axis's ARTPEC-7 optimization tips.</li>
 *   <li>Op versions the compiler v16.0 rejects: google-coral/edgetpu#631 (CONV_2D version 6) and #845
 *       (TRANSPOSE_CONV version 4); TFLite's {@code tensorflow/lite/tools/versioning/op_version.cc} says
 *       what those versions mean (grouped convolution; fused activation).</li>
 * </ul>
 * Rows and limits marked {@link Evidence#ASSUMED} were not in those copies: their source text says what
 * was assumed. Version limits of the other ops are unknown and not enforced.
 *
 * <p>Interpretations (also in each rule's source): the "batch dimension" is axis 0 of a tensor of rank
 * 2 or more; the rank rule applies to activations, not to constant weights (a conv filter is 4-D);
 * FULLY_CONNECTED's "one-dimensional" output and SOFTMAX's "1-D" input allow leading 1s ([1, N]); RESHAPE's
 * "certain reshapes might not be mapped for large tensor sizes" and RESIZE_*'s "may not be mapped ... to
 * avoid loss in precision" are not checkable statically and are not enforced; RESIZE_*'s "3-dimensional"
 * input/output is the general rank rule.
 */
public final class EdgeTpuRules {

  static final String MODELS_INTRO = "https://coral.ai/docs/edgetpu/models-intro/";
  static final String REQUIREMENTS = "Coral, TensorFlow models on the Edge TPU, Model requirements (" + MODELS_INTRO
      + "#model-requirements)";
  static final String SUPPORTED = "Coral, TensorFlow models on the Edge TPU, Supported operations (" + MODELS_INTRO
      + "#supported-operations)";
  static final String PARTITION = "Coral, TensorFlow models on the Edge TPU, Compiling (" + MODELS_INTRO
      + "#compiling): the compiler cannot partition the model more than once; the first unsupported op and "
      + "every op after it run on the CPU";
  static final String ON_CHIP = "Coral, Edge TPU Compiler, Parameter data caching (https://coral.ai/docs/edgetpu/"
      + "compiler/#parameter-data-caching): roughly 8 MB of SRAM caches parameter data, less a small part "
      + "reserved for the executable; compiler logs report 7.86 MiB remaining after 3 KiB of parameters "
      + "(google-coral/edgetpu#322)";
  private static final String TABLE_2019 = SUPPORTED + "; in the 2019 copy of the table";
  private static final String TABLE_CURRENT = SUPPORTED + "; in the current table as reproduced for ARTPEC-7";

  /** Dtypes of tensors an Edge TPU op may read or write (besides INT32 biases and arguments). */
  private static final Set<String> EIGHT_BIT = Set.of("INT8", "UINT8");

  /** Dtypes of outputs the model computes as integers (ArgMax, a final Cast): not float I/O. */
  private static final Set<String> INTEGER_RESULTS = Set.of("INT32", "INT64", "BOOL");

  /**
   * Ops that turn 8-bit activations into an integer result at the end of a model (a class map): not in Coral's
   * table, so they run on the CPU, but after the whole TPU part, which costs one hand-off and no round trip.
   */
  public static final Set<String> INTEGER_HEAD_OPS = Set.of("ARG_MAX", "ARG_MIN", "CAST");

  /** Coral's SOFTMAX limit: "a max of 16,000 elements". */
  static final long SOFTMAX_MAX_ELEMENTS = 16_000;

  /** Rules every operator must meet to be mapped, applied in this order (every one, not just the first). */
  public static final List<Rule> GENERAL = List.of(
      new Rule("supported-op", "the op is not in Coral's supported-operations table", Evidence.SOURCED,
          REQUIREMENTS + ": 'The model uses only the operations supported by the Edge TPU'",
          c -> c.entry().isPresent() ? Optional.empty() : Optional.of(c.op().op())),
      new Rule("op-version", "the Edge TPU compiler (v16) does not accept this op version", Evidence.SOURCED,
          "the row's versionSource", EdgeTpuRules::versionViolation),
      new Rule("tensor-types", "Edge TPU ops take only 8-bit tensors (int8/uint8; int32 only for biases and "
          + "integer arguments)", Evidence.SOURCED,
          REQUIREMENTS + ": 'Tensor parameters are quantized (8-bit fixed-point numbers; int8 or uint8)'",
          EdgeTpuRules::typeViolation),
      new Rule("quantized", "8-bit tensors must carry quantization parameters (a scale)", Evidence.SOURCED,
          REQUIREMENTS + ": 8-bit fixed-point numbers are a scale and a zero point (TFLite quantization spec)",
          EdgeTpuRules::unquantized),
      new Rule("static-shape", "tensor sizes must be constant at compile time (no dynamic dimension)",
          Evidence.SOURCED, REQUIREMENTS + ": 'Tensor sizes are constant at compile-time (no dynamic sizes)'; a -1 "
          + "in shape_signature is a dynamic size", EdgeTpuRules::dynamicShape),
      new Rule("innermost-3", "a tensor may have more than 3 dimensions only if all but the 3 innermost are 1",
          Evidence.SOURCED, REQUIREMENTS + ": 'If a tensor has more than 3 dimensions, then only the 3 innermost "
          + "dimensions may have a size greater than 1'; applied to activations, not to constant weights",
          EdgeTpuRules::tooManyDims),
      new Rule("constant-parameters", "model parameters (weights, biases, shape/axis arguments) must be "
          + "constant at compile time", Evidence.SOURCED,
          REQUIREMENTS + ": 'Model parameters (such as bias tensors) are constant at compile-time'",
          EdgeTpuRules::nonConstantParameters));

  /** Rules on the model's inputs and outputs. */
  public static final List<ModelRule> MODEL = List.of(
      new ModelRule("io-quantized", "model inputs and outputs must be 8-bit quantized (convert with --io int8 "
          + "or uint8): a float input puts a QUANTIZE on the CPU first, and by the one-partition rule "
          + "everything after it", Evidence.SOURCED, REQUIREMENTS + "; " + PARTITION, EdgeTpuRules::floatIo),
      new ModelRule("static-io", "model inputs must have a fixed shape (fix the batch to 1)", Evidence.SOURCED,
          REQUIREMENTS + ": 'Tensor sizes are constant at compile-time'", EdgeTpuRules::dynamicIo));

  // Known limitations, one rule each (Coral's "Known limitations" column).
  private static final Rule NO_FUSED_ACTIVATION = new Rule("no-fused-activation",
      "no fused activation function", Evidence.SOURCED, TABLE_2019 + " (AveragePool2d, MaxPool2d, Concatenation)",
      c -> c.fusedActivation().equals("NONE") ? Optional.empty()
          : Optional.of("fused_activation_function " + c.fusedActivation()));
  private static final Rule CONCAT_CONSTANT = new Rule("concat.constant-input",
      "a constant input is allowed only as one of exactly 2 inputs, all zeros (a zero padding)", Evidence.SOURCED,
      TABLE_2019 + ": 'If any input is a compile-time constant tensor, there must be only 2 inputs, and this "
      + "constant tensor must be all zeroes'", EdgeTpuRules::concatConstant);
  private static final Rule EQUAL_DILATION = new Rule("conv.dilation", "dilation must be the same in x and y",
      Evidence.SOURCED, TABLE_CURRENT + ": 'Must use the same dilation in x and y dimensions'", c -> {
        int[] d = c.dilation();
        return d[0] == d[1] ? Optional.empty() : Optional.of("dilation " + d[0] + " (y) x " + d[1] + " (x)");
      });
  private static final Rule FC_WEIGHTS_FORMAT = new Rule("fc.weights-format",
      "only the default weights format is supported", Evidence.SOURCED,
      TABLE_2019 + ": 'Only default format supported for fully-connected weights'",
      c -> c.weightsFormat().equals("DEFAULT") ? Optional.empty() : Optional.of("weights_format " + c.weightsFormat()));
  private static final Rule FC_OUTPUT_1D = new Rule("fc.output-1d",
      "the output must be one-dimensional (at most one dimension larger than 1)", Evidence.SOURCED,
      TABLE_2019 + ": 'Output tensor is one-dimensional'; leading 1s ([1, N]) assumed allowed",
      c -> c.output(0).filter(t -> dimsAboveOne(t.shape()) > 1)
          .map(t -> "output '" + t.name() + "' " + Arrays.toString(t.shape())));
  private static final Rule MEAN_Z_MULTIPLE_OF_4 = new Rule("mean.z-multiple-of-4",
      "a reduction over z (the innermost dimension) needs a z size that is a multiple of 4", Evidence.SOURCED,
      TABLE_CURRENT + ": 'If a z-reduction, the z-dimension must be multiple of 4'", EdgeTpuRules::meanZ);
  private static final Rule PACK_NOT_BATCH = new Rule("pack.not-batch", "no packing in the batch dimension",
      Evidence.SOURCED, TABLE_CURRENT + ": 'No packing in batch dimension' (batch = axis 0 of the output)", c -> {
        int rank = c.output(0).map(t -> t.shape().length).orElse(0);
        int axis = c.packAxis() < 0 ? c.packAxis() + rank : c.packAxis();
        return axis == 0 && rank >= 2 ? Optional.of("axis " + c.packAxis() + " of a rank-" + rank + " output")
            : Optional.empty();
      });
  private static final Rule PAD_NOT_BATCH = new Rule("pad.not-batch", "no padding in the batch dimension",
      Evidence.SOURCED, TABLE_CURRENT + ": 'No padding in batch dimension'", EdgeTpuRules::padBatch);
  private static final Rule PRELU_ALPHA = new Rule("prelu.alpha-1d",
      "alpha must be 1-dimensional (only the innermost dimension may be larger than 1)", Evidence.SOURCED,
      TABLE_CURRENT + ": 'Alpha must be 1-dimensional (only the innermost dimension can be >1 size)'",
      c -> c.input(1).filter(a -> {
        int[] s = a.shape();
        for (int i = 0; i < s.length - 1; i++) {
          if (s[i] > 1) {
            return true;
          }
        }
        return false;
      }).map(a -> "alpha '" + a.name() + "' " + Arrays.toString(a.shape())));
  private static final Rule SOFTMAX_1D = new Rule("softmax.1d-max-16000",
      "only a 1-D input (at most one dimension larger than 1) of at most 16,000 elements", Evidence.SOURCED,
      TABLE_2019 + ": 'Supports only 1D input tensor with a max of 16,000 elements'; leading 1s assumed allowed",
      c -> c.input(0).filter(t -> dimsAboveOne(t.shape()) > 1 || t.elements() > SOFTMAX_MAX_ELEMENTS)
          .map(t -> "input '" + t.name() + "' " + Arrays.toString(t.shape()) + ", " + t.elements() + " elements"));
  private static final Rule SQUEEZE_LEADING = new Rule("squeeze.leading-ones",
      "only leading 1s may be squeezed (no relayout)", Evidence.SOURCED,
      TABLE_2019 + ": 'Supported only when input tensor dimensions that have leading 1s (that is, no relayout "
      + "needed)'", EdgeTpuRules::squeezeRelayout);
  private static final Rule STRIDED_SLICE_STRIDES = new Rule("strided-slice.strides-1", "all strides must be 1",
      Evidence.SOURCED, TABLE_2019 + ": 'Supported only when all strides are equal to 1'",
      c -> c.input(3).flatMap(c::int32Values).filter(s -> Arrays.stream(s).anyMatch(v -> v != 1))
          .map(s -> "strides " + Arrays.toString(s)));
  private static final Rule STRIDED_SLICE_MASKS = new Rule("strided-slice.masks",
      "ellipsis_mask and new_axis_mask must be 0", Evidence.SOURCED,
      TABLE_2019 + ": 'with ellipsis-axis-mask == 0, and new-axis-max == 0'", c -> {
        int[] m = c.stridedSliceMasks();
        return m[0] == 0 && m[1] == 0 ? Optional.empty()
            : Optional.of("ellipsis_mask " + m[0] + ", new_axis_mask " + m[1]);
      });

  private static Rule noReductionInBatch(Evidence evidence, String source) {
    return new Rule("reduce.not-batch", "no reduction over the batch dimension", evidence, source,
        c -> axisHitsBatch(c, 1, 0));
  }

  private static final Rule MEAN_NOT_BATCH = noReductionInBatch(Evidence.SOURCED,
      TABLE_CURRENT + ": Mean 'No reduction in batch dimension'");
  private static final Rule REDUCE_MINMAX_NOT_BATCH = noReductionInBatch(Evidence.SOURCED,
      TABLE_CURRENT + ": ReduceMax/ReduceMin 'Cannot operate on the batch dimension'");
  private static final Rule SUM_NOT_BATCH = noReductionInBatch(Evidence.ASSUMED,
      "assumed like ReduceMax/ReduceMin; Sum's row is past the end of the stored copies");
  private static final Rule SPLIT_NOT_BATCH = new Rule("split.not-batch", "no splitting in the batch dimension",
      Evidence.ASSUMED, "assumed from memory of the current table ('No splitting in batch dimension'); the 2019 "
      + "copy lists Split without limitations", c -> axisHitsBatch(c, 0, 1));

  /** Coral's supported operations, in TFLite builtin names. */
  public static final List<OpEntry> OPS = List.of(
      row("ADD", "Add", TABLE_2019),
      row("AVERAGE_POOL_2D", "AveragePool2d", TABLE_2019, NO_FUSED_ACTIVATION),
      row("CONCATENATION", "Concatenation", TABLE_2019, NO_FUSED_ACTIVATION, CONCAT_CONSTANT),
      new OpEntry("CONV_2D", "Conv2d", Evidence.SOURCED, TABLE_CURRENT, 5,
          "google-coral/edgetpu#631: compiler 16.0 rejects CONV_2D version 6 (grouped convolution in TFLite's "
              + "op_version.cc)", Set.of(1, 2), Set.of(2), MacFormula.CONV_2D, List.of(EQUAL_DILATION)),
      new OpEntry("DEPTHWISE_CONV_2D", "DepthwiseConv2d", Evidence.SOURCED, TABLE_CURRENT, 0, "", Set.of(1, 2),
          Set.of(2), MacFormula.DEPTHWISE_CONV_2D, List.of(EQUAL_DILATION)),
      args("EXPAND_DIMS", "ExpandDims", TABLE_CURRENT, Set.of(1)),
      new OpEntry("FULLY_CONNECTED", "FullyConnected", Evidence.SOURCED, TABLE_2019, 0, "", Set.of(1, 2),
          Set.of(2), MacFormula.FULLY_CONNECTED, List.of(FC_WEIGHTS_FORMAT, FC_OUTPUT_1D)),
      row("L2_NORMALIZATION", "L2Normalization", TABLE_2019),
      row("LOGISTIC", "Logistic", TABLE_2019),
      new OpEntry("UNIDIRECTIONAL_SEQUENCE_LSTM", "LSTM", Evidence.ASSUMED, TABLE_CURRENT + " lists 'LSTM: "
          + "Unidirectional LSTM only'; mapping it to this TFLite op is assumed (BIDIRECTIONAL_SEQUENCE_LSTM and "
          + "the LSTM cell op are left out); only the general rules are checked", 0, "", Set.of(), Set.of(),
          MacFormula.NONE, List.of()),
      row("MAXIMUM", "Maximum", TABLE_2019),
      row("MAX_POOL_2D", "MaxPool2d", TABLE_2019, NO_FUSED_ACTIVATION),
      new OpEntry("MEAN", "Mean", Evidence.SOURCED, TABLE_CURRENT, 0, "", Set.of(1), Set.of(1), MacFormula.NONE,
          List.of(MEAN_NOT_BATCH, MEAN_Z_MULTIPLE_OF_4)),
      row("MINIMUM", "Minimum", TABLE_CURRENT),
      row("MUL", "Mul", TABLE_2019),
      row("PACK", "Pack", TABLE_CURRENT, PACK_NOT_BATCH),
      new OpEntry("PAD", "Pad", Evidence.SOURCED, TABLE_CURRENT, 0, "", Set.of(1), Set.of(1), MacFormula.NONE,
          List.of(PAD_NOT_BATCH)),
      new OpEntry("PRELU", "PReLU", Evidence.SOURCED, TABLE_CURRENT, 0, "", Set.of(1), Set.of(), MacFormula.NONE,
          List.of(PRELU_ALPHA)),
      row("QUANTIZE", "Quantize", TABLE_CURRENT),
      new OpEntry("REDUCE_MAX", "ReduceMax", Evidence.SOURCED, TABLE_CURRENT, 0, "", Set.of(1), Set.of(1),
          MacFormula.NONE, List.of(REDUCE_MINMAX_NOT_BATCH)),
      new OpEntry("REDUCE_MIN", "ReduceMin", Evidence.SOURCED, TABLE_CURRENT, 0, "", Set.of(1), Set.of(1),
          MacFormula.NONE, List.of(REDUCE_MINMAX_NOT_BATCH)),
      row("RELU", "ReLU", TABLE_2019),
      row("RELU6", "ReLU6", TABLE_2019),
      row("RELU_N1_TO_1", "ReLUN1To1", TABLE_2019),
      args("RESHAPE", "Reshape", TABLE_2019, Set.of(1)),
      args("RESIZE_BILINEAR", "ResizeBilinear", TABLE_2019, Set.of(1)),
      args("RESIZE_NEAREST_NEIGHBOR", "ResizeNearestNeighbor", TABLE_2019, Set.of(1)),
      new OpEntry("RSQRT", "Rsqrt", Evidence.ASSUMED, "assumed from memory of the current table (runtime 14 and "
          + "later); past the end of the stored copies", 0, "", Set.of(), Set.of(), MacFormula.NONE, List.of()),
      args("SLICE", "Slice", TABLE_2019, Set.of(1, 2)),
      row("SOFTMAX", "Softmax", TABLE_2019, SOFTMAX_1D),
      row("SPACE_TO_DEPTH", "SpaceToDepth", TABLE_2019),
      new OpEntry("SPLIT", "Split", Evidence.SOURCED, TABLE_2019, 0, "", Set.of(0), Set.of(0), MacFormula.NONE,
          List.of(SPLIT_NOT_BATCH)),
      new OpEntry("SQUARED_DIFFERENCE", "SquaredDifference", Evidence.ASSUMED, "assumed from memory of the "
          + "current table (runtime 14 and later); past the end of the stored copies", 0, "", Set.of(), Set.of(),
          MacFormula.NONE, List.of()),
      row("SQUEEZE", "Squeeze", TABLE_2019, SQUEEZE_LEADING),
      new OpEntry("STRIDED_SLICE", "StridedSlice", Evidence.SOURCED, TABLE_2019, 0, "", Set.of(1, 2, 3),
          Set.of(1, 2, 3), MacFormula.NONE, List.of(STRIDED_SLICE_STRIDES, STRIDED_SLICE_MASKS)),
      row("SUB", "Sub", TABLE_2019),
      new OpEntry("SUM", "Sum", Evidence.ASSUMED, "assumed from memory of the current table; past the end of the "
          + "stored copies", 0, "", Set.of(1), Set.of(1), MacFormula.NONE, List.of(SUM_NOT_BATCH)),
      row("TANH", "Tanh", TABLE_2019),
      new OpEntry("TRANSPOSE_CONV", "TransposeConv", Evidence.ASSUMED, "assumed from memory of the current table; "
          + "Coral's maintainers compile it in google-coral/edgetpu#147", 3,
          "google-coral/edgetpu#845: compiler 16.0 rejects TRANSPOSE_CONV version 4 (a fused activation in "
              + "TFLite's op_version.cc)", Set.of(0, 1, 3), Set.of(0, 3), MacFormula.TRANSPOSE_CONV, List.of()));

  private static final Map<String, OpEntry> BY_OP = index(OPS);

  private EdgeTpuRules() {}

  /** The table row of a TFLite builtin op name, if Coral lists it. */
  public static Optional<OpEntry> entry(String op) {
    return Optional.ofNullable(BY_OP.get(op));
  }

  /** The TFLite op names in the table, in table order. */
  public static List<String> supportedOps() {
    return List.copyOf(BY_OP.keySet());
  }

  /**
   * Indexes rows by op, refusing duplicate ops and duplicate rule ids within a row.
   *
   * @throws IllegalStateException on a duplicate
   */
  static Map<String, OpEntry> index(List<OpEntry> rows) {
    Map<String, OpEntry> byOp = new LinkedHashMap<>();
    for (OpEntry e : rows) {
      if (byOp.put(e.op(), e) != null) {
        throw new IllegalStateException("Edge TPU rule table lists " + e.op() + " twice");
      }
      Set<String> ids = new java.util.HashSet<>();
      for (Rule r : e.limits()) {
        if (!ids.add(r.id())) {
          throw new IllegalStateException("Edge TPU rule table: " + e.op() + " has rule " + r.id() + " twice");
        }
      }
    }
    return Collections.unmodifiableMap(byOp);
  }

  private static OpEntry row(String op, String coralName, String source, Rule... limits) {
    return new OpEntry(op, coralName, Evidence.SOURCED, source, 0, "", Set.of(), Set.of(), MacFormula.NONE,
        List.of(limits));
  }

  /** A row whose listed inputs are integer arguments (shape, axis, begin/size): constant and INT32. */
  private static OpEntry args(String op, String coralName, String source, Set<Integer> argInputs) {
    return new OpEntry(op, coralName, Evidence.SOURCED, source, 0, "", argInputs, argInputs, MacFormula.NONE,
        List.of());
  }

  // ---- general rules ----

  private static Optional<String> versionViolation(OpContext c) {
    return c.entry().filter(e -> e.maxVersion() > 0 && c.op().version() > e.maxVersion())
        .map(e -> c.op().op() + " version " + c.op().version() + ", the compiler accepts up to " + e.maxVersion()
            + " (" + e.versionSource() + ")");
  }

  private static Optional<String> typeViolation(OpContext c) {
    Set<Integer> int32 = c.entry().map(OpEntry::int32Inputs).orElse(Set.of());
    List<String> bad = new ArrayList<>();
    for (OpContext.Slot s : c.tensors()) {
      String dtype = s.tensor().dtype();
      boolean ok = EIGHT_BIT.contains(dtype) || (s.isInput() && int32.contains(s.position()) && dtype.equals("INT32"));
      if (!ok) {
        bad.add(s.describe());
      }
    }
    return joined(bad);
  }

  private static Optional<String> unquantized(OpContext c) {
    List<String> bad = new ArrayList<>();
    for (OpContext.Slot s : c.tensors()) {
      if (EIGHT_BIT.contains(s.tensor().dtype()) && !s.tensor().quantization().isQuantized()) {
        bad.add(s.describe() + " has no scale");
      }
    }
    return joined(bad);
  }

  private static Optional<String> dynamicShape(OpContext c) {
    List<String> bad = new ArrayList<>();
    for (OpContext.Slot s : c.tensors()) {
      if (Arrays.stream(s.tensor().shapeSignature()).anyMatch(d -> d < 0)) {
        bad.add(s.describe() + " shape_signature " + Arrays.toString(s.tensor().shapeSignature()));
      }
    }
    return joined(bad);
  }

  private static Optional<String> tooManyDims(OpContext c) {
    List<String> bad = new ArrayList<>();
    for (OpContext.Slot s : c.tensors()) {
      int[] shape = s.tensor().shape();
      if (!s.tensor().isConstant() && shape.length > 3) {
        for (int i = 0; i < shape.length - 3; i++) {
          if (shape[i] > 1) {
            bad.add(s.describe());
            break;
          }
        }
      }
    }
    return joined(bad);
  }

  private static Optional<String> nonConstantParameters(OpContext c) {
    List<String> bad = new ArrayList<>();
    for (int position : c.entry().map(OpEntry::parameterInputs).orElse(Set.of()).stream().sorted().toList()) {
      c.input(position).filter(t -> !t.isConstant())
          .ifPresent(t -> bad.add("input " + position + " '" + t.name() + "' is computed at run time"));
    }
    return joined(bad);
  }

  // ---- model rules ----

  private static Optional<String> floatIo(SubgraphInfo g) {
    List<String> bad = new ArrayList<>();
    for (int i : g.inputs()) {
      if (!EIGHT_BIT.contains(g.tensor(i).dtype())) {
        bad.add("input '" + g.tensor(i).name() + "' " + g.tensor(i).dtype());
      }
    }
    for (int i : g.outputs()) {
      // An integer result the model computes (an ArgMax class map) is not a float output to quantize.
      if (!EIGHT_BIT.contains(g.tensor(i).dtype()) && !INTEGER_RESULTS.contains(g.tensor(i).dtype())) {
        bad.add("output '" + g.tensor(i).name() + "' " + g.tensor(i).dtype());
      }
    }
    return joined(bad);
  }

  private static Optional<String> dynamicIo(SubgraphInfo g) {
    List<String> bad = new ArrayList<>();
    for (int i : g.inputs()) {
      int[] sig = g.tensor(i).shapeSignature();
      if (Arrays.stream(sig).anyMatch(d -> d < 0)) {
        bad.add("input '" + g.tensor(i).name() + "' shape_signature " + Arrays.toString(sig));
      }
    }
    return joined(bad);
  }

  // ---- limit helpers ----

  private static Optional<String> concatConstant(OpContext c) {
    List<OpContext.Slot> inputs = c.inputs();
    List<String> bad = new ArrayList<>();
    for (OpContext.Slot s : inputs) {
      TensorInfo t = s.tensor();
      if (!t.isConstant()) {
        continue;
      }
      if (inputs.size() != 2) {
        bad.add(s.describe() + " is constant among " + inputs.size() + " inputs");
      } else if (!allZero(c, t)) {
        bad.add(s.describe() + " is constant and not all zeros");
      }
    }
    return joined(bad);
  }

  /** Whether every element of a constant tensor is real zero: the zero point for 8-bit, 0 otherwise. */
  private static boolean allZero(OpContext c, TensorInfo t) {
    ByteBuffer data = c.data(t);
    long zero = t.quantization().zeroPoint();
    boolean eightBit = EIGHT_BIT.contains(t.dtype());
    while (data.hasRemaining()) {
      byte b = data.get();
      long v = !eightBit ? b : t.dtype().equals("UINT8") ? Byte.toUnsignedInt(b) : b;
      if (v != (eightBit ? zero : 0)) {
        return false;
      }
    }
    return true;
  }

  private static Optional<String> meanZ(OpContext c) {
    Optional<TensorInfo> in = c.input(0);
    Optional<int[]> axes = c.input(1).flatMap(c::int32Values);
    if (in.isEmpty() || axes.isEmpty()) {
      return Optional.empty();
    }
    int[] shape = in.get().shape();
    int rank = shape.length;
    for (int a : axes.get()) {
      int axis = a < 0 ? a + rank : a;
      if (rank > 0 && axis == rank - 1 && shape[rank - 1] % 4 != 0) {
        return Optional.of("reduces z of size " + shape[rank - 1] + " (axes " + Arrays.toString(axes.get()) + ")");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> padBatch(OpContext c) {
    Optional<int[]> pads = c.input(1).flatMap(c::int32Values);
    int rank = c.input(0).map(t -> t.shape().length).orElse(0);
    if (pads.isEmpty() || rank < 2 || pads.get().length < 2) {
      return Optional.empty();
    }
    int[] p = pads.get();
    return p[0] == 0 && p[1] == 0 ? Optional.empty()
        : Optional.of("pads the batch dimension by [" + p[0] + ", " + p[1] + "]");
  }

  /**
   * Whether the axis argument at {@code axisInput} (constant INT32) names axis 0 of the tensor at {@code
   * dataInput}, of rank 2 or more.
   */
  private static Optional<String> axisHitsBatch(OpContext c, int axisInput, int dataInput) {
    Optional<int[]> axes = c.input(axisInput).flatMap(c::int32Values);
    int rank = c.input(dataInput).map(t -> t.shape().length).orElse(0);
    if (axes.isEmpty() || rank < 2) {
      return Optional.empty();
    }
    for (int a : axes.get()) {
      if ((a < 0 ? a + rank : a) == 0) {
        return Optional.of("axis " + a + " of a rank-" + rank + " input is the batch dimension");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> squeezeRelayout(OpContext c) {
    Optional<TensorInfo> in = c.input(0);
    if (in.isEmpty()) {
      return Optional.empty();
    }
    int[] shape = in.get().shape();
    int[] dims = c.squeezeDims();
    List<Integer> squeezed = new ArrayList<>();
    if (dims.length == 0) {
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] == 1) {
          squeezed.add(i);
        }
      }
    } else {
      for (int d : dims) {
        squeezed.add(d < 0 ? d + shape.length : d);
      }
    }
    for (int d : squeezed) {
      for (int i = 0; i < d && i < shape.length; i++) {
        if (shape[i] > 1) {
          return Optional.of("squeezes dimension " + d + " of " + Arrays.toString(shape) + ", after a dimension of "
              + shape[i]);
        }
      }
    }
    return Optional.empty();
  }

  static int dimsAboveOne(int[] shape) {
    int n = 0;
    for (int d : shape) {
      if (d > 1) {
        n++;
      }
    }
    return n;
  }

  private static Optional<String> joined(List<String> parts) {
    return parts.isEmpty() ? Optional.empty() : Optional.of(parts.stream().collect(Collectors.joining("; ")));
  }
}
