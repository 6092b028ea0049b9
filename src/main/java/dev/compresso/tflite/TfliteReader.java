package dev.compresso.tflite;

import dev.compresso.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.google.flatbuffers.Table;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.DimensionMetadata;
import org.tensorflow.lite.schema.DimensionType;
import org.tensorflow.lite.schema.Int32Vector;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.Pool2DOptions;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SignatureDef;
import org.tensorflow.lite.schema.SparseIndexVector;
import org.tensorflow.lite.schema.SparsityParameters;
import org.tensorflow.lite.schema.SqueezeOptions;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorMap;
import org.tensorflow.lite.schema.TransposeConvOptions;
import org.tensorflow.lite.schema.Uint16Vector;
import org.tensorflow.lite.schema.Uint8Vector;

/**
 * Reads a .tflite flatbuffer with the schema classes and checks everything the native interpreter trusts:
 * the {@code TFL3} identifier, schema version 3, every operator-code, tensor, buffer and subgraph index in
 * range, vector lengths that fit in the file, constant buffers the size their tensor's shape and dtype
 * need, quantization vectors that agree, and strides/dilations/filter sizes of at least 1 (a zero stride
 * divides by zero inside the kernels' Prepare). TFLite's own verifier checks only the flatbuffer's
 * structure: an out-of-range tensor index passes it and aborts the process in {@code AllocateTensors}.
 *
 * <p>All problems found are reported at once; the flatbuffer library's runtime exceptions on a corrupt
 * file become {@link BadInputException}s that name the file.
 */
final class TfliteReader {

  /** TFLite's schema version, {@code TFLITE_SCHEMA_VERSION} in version.h. */
  static final int SCHEMA_VERSION = 3;

  private static final int MAX_PROBLEMS = 8;

  private final String source;
  private final ByteBuffer buffer;
  private final long size;
  private final List<String> problems = new ArrayList<>();

  private TfliteReader(byte[] bytes, String source) {
    this.source = source;
    this.buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    this.size = bytes.length;
  }

  static TfliteModel parse(byte[] bytes, String source) {
    return new TfliteReader(bytes, source).parse(bytes);
  }

  private TfliteModel parse(byte[] bytes) {
    if (size < 8) {
      throw bad("file is " + size + " bytes, too short for a TFLite flatbuffer");
    }
    if (!Model.ModelBufferHasIdentifier(buffer)) {
      String id = new String(bytes, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "?");
      throw bad("file identifier is '" + id + "', expected 'TFL3' (is this a TFLite model?)");
    }
    long root = Integer.toUnsignedLong(buffer.getInt(0));
    if (root + 4 > size) {
      throw bad("root table offset " + root + " lies outside the file (" + size + " bytes): truncated?");
    }
    TfliteModel model;
    try {
      model = read(Model.getRootAsModel(buffer), bytes);
    } catch (RuntimeException e) {
      // IndexOutOfBounds, BufferUnderflow, IllegalArgument, NegativeArraySize... from flatbuffers-java
      throw new BadInputException(source + ": not a valid TFLite model: corrupt or truncated flatbuffer ("
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }
    if (!problems.isEmpty()) {
      throw bad(String.join("; ", problems.subList(0, Math.min(MAX_PROBLEMS, problems.size())))
          + (problems.size() > MAX_PROBLEMS ? "; and " + (problems.size() - MAX_PROBLEMS) + " more" : ""));
    }
    return model;
  }

  private TfliteModel read(Model m, byte[] bytes) {
    long version = m.version();
    if (version != SCHEMA_VERSION) {
      throw bad("schema version " + version + ", the interpreter reads version " + SCHEMA_VERSION);
    }
    int nBuffers = length(m.buffersLength(), 4, "buffers");
    long[] bufferBytes = new long[nBuffers];
    for (int b = 0; b < nBuffers; b++) {
      bufferBytes[b] = length(m.buffers(b).dataLength(), 1, "buffer " + b);
    }
    int nCodes = length(m.operatorCodesLength(), 4, "operator codes");
    String[] opNames = new String[nCodes];
    int[] opCodes = new int[nCodes];
    int[] opVersions = new int[nCodes];
    for (int c = 0; c < nCodes; c++) {
      OperatorCode code = m.operatorCodes(c);
      int builtin = Math.max(code.builtinCode(), code.deprecatedBuiltinCode());
      opCodes[c] = builtin;
      opVersions[c] = code.version();
      if (builtin < 0) {
        problem("operator code " + c + " has builtin code " + builtin);
        opNames[c] = "BUILTIN_" + builtin;
      } else if (builtin == BuiltinOperator.CUSTOM) {
        String custom = code.customCode();
        opNames[c] = custom == null || custom.isEmpty() ? "CUSTOM" : custom;
      } else if (builtin < BuiltinOperator.names.length && !BuiltinOperator.names[builtin].isEmpty()) {
        opNames[c] = BuiltinOperator.name(builtin);
      } else {
        opNames[c] = "BUILTIN_" + builtin;
      }
    }
    int nSubgraphs = length(m.subgraphsLength(), 4, "subgraphs");
    if (nSubgraphs == 0) {
      problem("the model has no subgraph");
    }
    List<SubgraphInfo> subgraphs = new ArrayList<>();
    for (int s = 0; s < nSubgraphs; s++) {
      subgraphs.add(readSubgraph(s, m.subgraphs(s), bufferBytes, opNames, opCodes, opVersions));
    }
    List<SignatureInfo> signatures = new ArrayList<>();
    int nSignatures = length(m.signatureDefsLength(), 4, "signature defs");
    for (int i = 0; i < nSignatures; i++) {
      signatures.add(readSignature(m.signatureDefs(i), subgraphs));
    }
    String description = m.description();
    return new TfliteModel(source, bytes, (int) version, description == null ? "" : description, subgraphs,
        bufferBytes, signatures);
  }

  private SubgraphInfo readSubgraph(int s, SubGraph g, long[] bufferBytes, String[] opNames, int[] opCodes,
      int[] opVersions) {
    String where = "subgraph " + s;
    int nTensors = length(g.tensorsLength(), 4, where + " tensors");
    List<TensorInfo> tensors = new ArrayList<>(nTensors);
    for (int t = 0; t < nTensors; t++) {
      tensors.add(readTensor(where, t, g.tensors(t), bufferBytes));
    }
    int[] inputs = indices(where + " inputs", g.inputsLength(), g::inputs, nTensors, false);
    int[] outputs = indices(where + " outputs", g.outputsLength(), g::outputs, nTensors, false);
    int nOps = length(g.operatorsLength(), 4, where + " operators");
    List<OperatorInfo> operators = new ArrayList<>(nOps);
    Operator op = new Operator();
    for (int o = 0; o < nOps; o++) {
      g.operators(op, o);
      long codeIndex = op.opcodeIndex();
      String opWhere = where + " operator " + o;
      if (codeIndex >= opNames.length) {
        problem(opWhere + " uses operator code " + codeIndex + ", the model has " + opNames.length);
        continue;
      }
      int c = (int) codeIndex;
      int[] in = indices(opWhere + " (" + opNames[c] + ") inputs", op.inputsLength(), op::inputs, nTensors, true);
      int[] out = indices(opWhere + " (" + opNames[c] + ") outputs", op.outputsLength(), op::outputs, nTensors, false);
      indices(opWhere + " (" + opNames[c] + ") intermediates", op.intermediatesLength(), op::intermediates, nTensors,
          false);
      checkOptions(opWhere + " (" + opNames[c] + ")", op);
      operators.add(new OperatorInfo(o, opNames[c], opCodes[c], opVersions[c], in, out));
    }
    String name = g.name();
    return new SubgraphInfo(s, name == null ? "" : name, tensors, operators, inputs, outputs);
  }

  private TensorInfo readTensor(String where, int t, Tensor tensor, long[] bufferBytes) {
    String name = tensor.name();
    name = name == null ? "" : name;
    String tWhere = where + " tensor " + t + " '" + name + "'";
    int type = tensor.type();
    String dtype = TfliteTypes.name(type);
    if (dtype == null) {
      problem(tWhere + " has unknown type code " + type);
      dtype = "TYPE_" + type;
    }
    int[] shape = new int[length(tensor.shapeLength(), 4, tWhere + " shape")];
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = tensor.shape(i);
      if (shape[i] < 0) {
        problem(tWhere + " has negative dimension " + shape[i] + " in its shape");
      }
      elements = Math.multiplyExact(elements, Math.max(0, shape[i]));
      if (elements > Integer.MAX_VALUE) {
        problem(tWhere + " has " + elements + "+ elements, more than the interpreter can allocate");
        elements = 0;
      }
    }
    int[] signature = new int[length(tensor.shapeSignatureLength(), 4, tWhere + " shape_signature")];
    for (int i = 0; i < signature.length; i++) {
      signature[i] = tensor.shapeSignature(i);
    }
    long bufferIndex = tensor.buffer();
    long bytes = 0;
    if (bufferIndex >= bufferBytes.length) {
      problem(tWhere + " uses buffer " + bufferIndex + ", the model has " + bufferBytes.length);
    } else {
      bytes = bufferBytes[(int) bufferIndex];
      int elementBytes = TfliteTypes.elementBytes(type);
      if (tensor.sparsity() != null) {
        checkSparse(tWhere, tensor.sparsity(), shape, bytes, elementBytes);
      } else if (bytes > 0 && elementBytes > 0 && bytes != elements * elementBytes) {
        problem(tWhere + " " + dtype + java.util.Arrays.toString(shape) + " needs " + elements * elementBytes
            + " bytes, its buffer " + bufferIndex + " holds " + bytes);
      }
    }
    Quantization q = readQuantization(tWhere, tensor.quantization(), shape);
    return new TensorInfo(t, name, dtype, shape, signature, (int) Math.min(bufferIndex, Integer.MAX_VALUE), bytes, q,
        tensor.isVariable());
  }

  /**
   * A sparse constant ({@code SparsityParameters}) in the layout the converter's sparsifier writes for
   * random sparsity and {@code convert --sparse-weights} writes: traversal order {@code 0..r-1}, no block
   * map, every dimension {@code DENSE} at its size but the last, {@code SPARSE_CSR} with monotone segments
   * (one per row, plus one) ending at the number of non-zeros and in-range column indices, the buffer
   * holding exactly the non-zero values. Other layouts are refused by name.
   */
  private void checkSparse(String where, SparsityParameters sp, int[] shape, long bytes, int elementBytes) {
    int r = shape.length;
    if (sp.blockMapLength() != 0 || sp.traversalOrderLength() != r || sp.dimMetadataLength() != r || r == 0) {
      problem(where + " is stored sparse in a layout Compresso does not read (block map " + sp.blockMapLength()
          + ", traversal order " + sp.traversalOrderLength() + ", " + sp.dimMetadataLength() + " dimensions for rank "
          + r + "); only row-wise CSR over the last dimension is supported");
      return;
    }
    long rows = 1;
    for (int d = 0; d < r; d++) {
      DimensionMetadata m = sp.dimMetadata(d);
      if (sp.traversalOrder(d) != d || m == null
          || m.format() != (d < r - 1 ? DimensionType.DENSE : DimensionType.SPARSE_CSR)
          || (d < r - 1 && m.denseSize() != shape[d])) {
        problem(where + " is stored sparse in a layout Compresso does not read (dimension " + d + "); only row-wise "
            + "CSR over the last dimension is supported");
        return;
      }
      if (d < r - 1) {
        rows *= shape[d];
      }
    }
    DimensionMetadata csr = sp.dimMetadata(r - 1);
    int[] segments = indexVector(csr.arraySegmentsType(), csr, true);
    int[] indices = indexVector(csr.arrayIndicesType(), csr, false);
    if (segments == null || indices == null || segments.length != rows + 1 || segments[0] != 0
        || segments[segments.length - 1] != indices.length || (long) indices.length * elementBytes != bytes) {
      problem(where + " is stored sparse with inconsistent CSR vectors (" + (segments == null ? "no" : segments.length)
          + " segments for " + rows + " rows, " + (indices == null ? "no" : indices.length) + " indices, buffer of "
          + bytes + " bytes)");
      return;
    }
    for (int i = 1; i < segments.length; i++) {
      if (segments[i] < segments[i - 1]) {
        problem(where + " is stored sparse with decreasing CSR segments at row " + i);
        return;
      }
    }
    for (int c : indices) {
      if (c < 0 || c >= shape[r - 1]) {
        problem(where + " is stored sparse with column index " + c + " outside [0, " + shape[r - 1] + ")");
        return;
      }
    }
  }

  static int[] indexVector(byte type, DimensionMetadata m, boolean segments) {
    switch (type) {
      case SparseIndexVector.Int32Vector -> {
        Int32Vector v = (Int32Vector) (segments ? m.arraySegments(new Int32Vector()) : m.arrayIndices(new Int32Vector()));
        if (v == null) {
          return null;
        }
        int[] out = new int[v.valuesLength()];
        for (int i = 0; i < out.length; i++) {
          out[i] = v.values(i);
        }
        return out;
      }
      case SparseIndexVector.Uint16Vector -> {
        Uint16Vector v = (Uint16Vector) (segments ? m.arraySegments(new Uint16Vector())
            : m.arrayIndices(new Uint16Vector()));
        if (v == null) {
          return null;
        }
        int[] out = new int[v.valuesLength()];
        for (int i = 0; i < out.length; i++) {
          out[i] = v.values(i);
        }
        return out;
      }
      case SparseIndexVector.Uint8Vector -> {
        Uint8Vector v = (Uint8Vector) (segments ? m.arraySegments(new Uint8Vector()) : m.arrayIndices(new Uint8Vector()));
        if (v == null) {
          return null;
        }
        int[] out = new int[v.valuesLength()];
        for (int i = 0; i < out.length; i++) {
          out[i] = v.values(i);
        }
        return out;
      }
      default -> {
        return null;
      }
    }
  }

  private Quantization readQuantization(String where, QuantizationParameters p, int[] shape) {
    if (p == null) {
      return Quantization.NONE;
    }
    float[] scales = new float[length(p.scaleLength(), 4, where + " scales")];
    for (int i = 0; i < scales.length; i++) {
      scales[i] = p.scale(i);
    }
    long[] zeros = new long[length(p.zeroPointLength(), 8, where + " zero points")];
    for (int i = 0; i < zeros.length; i++) {
      zeros[i] = p.zeroPoint(i);
    }
    float[] min = new float[length(p.minLength(), 4, where + " min")];
    for (int i = 0; i < min.length; i++) {
      min[i] = p.min(i);
    }
    float[] max = new float[length(p.maxLength(), 4, where + " max")];
    for (int i = 0; i < max.length; i++) {
      max[i] = p.max(i);
    }
    int dim = p.quantizedDimension();
    if (zeros.length != 0 && zeros.length != scales.length) {
      problem(where + " has " + scales.length + " scales but " + zeros.length + " zero points");
    }
    if (scales.length > 1) {
      if (dim < 0 || dim >= shape.length) {
        problem(where + " is quantized along dimension " + dim + " of a rank-" + shape.length + " tensor");
      } else if (shape[dim] != scales.length) {
        problem(where + " has " + scales.length + " scales for dimension " + dim + " of size " + shape[dim]);
      }
    }
    return new Quantization(scales, zeros, dim, min, max);
  }

  private void checkOptions(String where, Operator op) {
    byte type = op.builtinOptionsType();
    if (type != BuiltinOptions.NONE && !tableInBounds(where + " builtin options", (RawTable) op.builtinOptions(new RawTable()))) {
      return;
    }
    if (type == BuiltinOptions.SqueezeOptions) {
      SqueezeOptions o = (SqueezeOptions) op.builtinOptions(new SqueezeOptions());
      for (int i = 0; o != null && i < length(o.squeezeDimsLength(), 4, where + " squeeze dims"); i++) {
        o.squeezeDims(i);
      }
    }
    if (type == BuiltinOptions.Conv2DOptions) {
      Conv2DOptions o = (Conv2DOptions) op.builtinOptions(new Conv2DOptions());
      if (o != null) {
        atLeastOne(where, "stride", o.strideH(), o.strideW());
        atLeastOne(where, "dilation", o.dilationHFactor(), o.dilationWFactor());
      }
    } else if (type == BuiltinOptions.DepthwiseConv2DOptions) {
      DepthwiseConv2DOptions o = (DepthwiseConv2DOptions) op.builtinOptions(new DepthwiseConv2DOptions());
      if (o != null) {
        atLeastOne(where, "stride", o.strideH(), o.strideW());
        atLeastOne(where, "dilation", o.dilationHFactor(), o.dilationWFactor());
        if (o.depthMultiplier() < 0) {
          problem(where + " has depth multiplier " + o.depthMultiplier());
        }
      }
    } else if (type == BuiltinOptions.Pool2DOptions) {
      Pool2DOptions o = (Pool2DOptions) op.builtinOptions(new Pool2DOptions());
      if (o != null) {
        atLeastOne(where, "stride", o.strideH(), o.strideW());
        atLeastOne(where, "filter size", o.filterHeight(), o.filterWidth());
      }
    } else if (type == BuiltinOptions.TransposeConvOptions) {
      TransposeConvOptions o = (TransposeConvOptions) op.builtinOptions(new TransposeConvOptions());
      if (o != null) {
        atLeastOne(where, "stride", o.strideH(), o.strideW());
      }
    }
  }

  /**
   * Whether a table's vtable, its inline object and every field the vtable lists lie inside the file, as
   * FlatBuffers' C++ {@code Verifier::VerifyTableStart} and {@code VerifyField} check. The Java accessors
   * trust these offsets; the edgetpu check reads options tables long after this reader has returned.
   */
  private boolean tableInBounds(String what, RawTable t) {
    if (t == null) {
      return true;
    }
    long pos = t.position();
    if (pos < 0 || pos + 4 > size) {
      problem(what + ": table at " + pos + " lies outside the file (" + size + " bytes)");
      return false;
    }
    long vtable = pos - buffer.getInt((int) pos);
    if (vtable < 0 || vtable + 4 > size) {
      problem(what + ": vtable at " + vtable + " lies outside the file (" + size + " bytes)");
      return false;
    }
    int vtableBytes = Short.toUnsignedInt(buffer.getShort((int) vtable));
    int objectBytes = Short.toUnsignedInt(buffer.getShort((int) vtable + 2));
    if (vtableBytes < 4 || vtableBytes % 2 != 0 || vtable + vtableBytes > size || pos + objectBytes > size) {
      problem(what + ": vtable of " + vtableBytes + " bytes or object of " + objectBytes
          + " bytes does not fit in the file (" + size + " bytes)");
      return false;
    }
    for (int f = 4; f < vtableBytes; f += 2) {
      int field = Short.toUnsignedInt(buffer.getShort((int) vtable + f));
      // Each field starts inside the object (after its 4-byte vtable offset); what an offset field points
      // to is checked where it is read.
      if (field != 0 && (field < 4 || field >= objectBytes)) {
        problem(what + ": field " + (f - 4) / 2 + " at offset " + field + " lies outside its " + objectBytes
            + "-byte table");
        return false;
      }
    }
    return true;
  }

  /** A flatbuffer table of unknown type: exposes where it starts. */
  private static final class RawTable extends Table {
    int position() {
      return bb_pos;
    }
  }

  private void atLeastOne(String where, String what, int h, int w) {
    if (h < 1 || w < 1) {
      problem(where + " has " + what + " " + h + "x" + w + ", must be at least 1x1");
    }
  }

  private SignatureInfo readSignature(SignatureDef def, List<SubgraphInfo> subgraphs) {
    String key = def.signatureKey();
    key = key == null ? "" : key;
    String where = "signature '" + key + "'";
    long s = def.subgraphIndex();
    int nTensors = 0;
    if (s >= subgraphs.size()) {
      problem(where + " refers to subgraph " + s + ", the model has " + subgraphs.size());
    } else {
      nTensors = subgraphs.get((int) s).tensors().size();
    }
    Map<String, Integer> inputs = tensorMap(where + " input", def.inputsLength(), def::inputs, nTensors);
    Map<String, Integer> outputs = tensorMap(where + " output", def.outputsLength(), def::outputs, nTensors);
    return new SignatureInfo(key, (int) Math.min(s, Integer.MAX_VALUE), inputs, outputs);
  }

  private Map<String, Integer> tensorMap(String where, int n, java.util.function.IntFunction<TensorMap> get,
      int nTensors) {
    Map<String, Integer> map = new LinkedHashMap<>();
    for (int i = 0; i < length(n, 4, where + "s"); i++) {
      TensorMap tm = get.apply(i);
      String name = tm.name() == null ? "" : tm.name();
      long index = tm.tensorIndex();
      if (index >= nTensors) {
        problem(where + " '" + name + "' is tensor " + index + ", the subgraph has " + nTensors);
      }
      map.put(name, (int) Math.min(index, Integer.MAX_VALUE));
    }
    return map;
  }

  private int[] indices(String where, int n, java.util.function.IntUnaryOperator get, int nTensors,
      boolean optionalAllowed) {
    int[] out = new int[length(n, 4, where)];
    for (int i = 0; i < out.length; i++) {
      out[i] = get.applyAsInt(i);
      boolean omitted = optionalAllowed && out[i] == -1;
      if (!omitted && (out[i] < 0 || out[i] >= nTensors)) {
        problem(where + "[" + i + "] is tensor " + out[i] + ", the subgraph has " + nTensors + " tensors");
      }
    }
    return out;
  }

  /** A vector length checked against the file size, so a corrupt length fails here, not in a long loop. */
  private int length(int n, int elementBytes, String what) {
    if (n < 0 || (long) n * elementBytes > size) {
      throw bad(what + ": vector of " + Integer.toUnsignedString(n) + " elements does not fit in the file ("
          + size + " bytes): corrupt or truncated");
    }
    return n;
  }

  private void problem(String message) {
    problems.add(message);
  }

  private BadInputException bad(String what) {
    return new BadInputException(source + ": not a valid TFLite model: " + what);
  }
}
