package dev.compresso.tflite.convert;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.compresso.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.DensifyOptionsT;
import org.tensorflow.lite.schema.DimensionMetadataT;
import org.tensorflow.lite.schema.DimensionType;
import org.tensorflow.lite.schema.Int32VectorT;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.SparseIndexVector;
import org.tensorflow.lite.schema.SparseIndexVectorUnion;
import org.tensorflow.lite.schema.SparsityParametersT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;
import org.tensorflow.lite.schema.Uint16VectorT;
import org.tensorflow.lite.schema.Uint8VectorT;

/**
 * Stores sparse kernels sparsely: a post-pass over the flatbuffer through the schema's object API (the
 * official converter's sparsity optimization, {@code tf.lite.Optimize.EXPERIMENTAL_SPARSITY}, is a Python
 * step, {@code mlir::lite::SparsifyModel} over the C++ object API, that its converter flags do not
 * reach). It writes what that pass writes for weights the kernels cannot read sparse: the kernel becomes a
 * constant tensor with TFLite's {@code SparsityParameters} (schema.fbs: traversal order {@code 0..r-1},
 * every dimension {@code DENSE} but the last, which is {@code SPARSE_CSR}: {@code array_segments} the running
 * count of non-zeros per row, {@code array_indices} the column of each; the smallest of uint8, uint16 and
 * int32 index vectors that fits) holding only the non-zero values, and a {@code DENSIFY} operator (TFLite's
 * {@code densify.cc}, float32 and int8) at the front of the graph writes the dense kernel into the original
 * tensor, which becomes a plain tensor. Quantization parameters are copied to the sparse tensor.
 *
 * <p>Only the weight input (input 1) of {@code CONV_2D}, {@code DEPTHWISE_CONV_2D}, {@code TRANSPOSE_CONV}
 * and {@code FULLY_CONNECTED}, float32 or int8, with at least {@code threshold} of its elements zero and a
 * buffer no other tensor shares, is encoded.
 */
public final class SparseWeights {

  /** The default share of zeros from which a kernel is stored sparse. */
  public static final double THRESHOLD_DEFAULT = 0.5;

  private static final Set<Integer> WEIGHTED = Set.of(BuiltinOperator.CONV_2D, BuiltinOperator.DEPTHWISE_CONV_2D,
      BuiltinOperator.TRANSPOSE_CONV, BuiltinOperator.FULLY_CONNECTED);

  /** One kernel stored sparse: its tensor name, elements, non-zeros, and bytes before and after. */
  public record Encoded(String tensor, long elements, long nonZeros, long denseBytes, long sparseBytes) {}

  /** The rewritten flatbuffer and what was encoded (empty: the input bytes unchanged). */
  public record Result(byte[] model, List<Encoded> encoded) {}

  private SparseWeights() {}

  /** Encodes the kernels of {@code tflite} with at least {@code threshold} zeros. */
  public static Result apply(byte[] tflite, double threshold) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new BadInputException("--sparse-threshold must be in (0, 1], got " + threshold);
    }
    ModelT model = Model.getRootAsModel(ByteBuffer.wrap(tflite).order(ByteOrder.LITTLE_ENDIAN)).unpack();
    SubGraphT graph = model.getSubgraphs()[0];
    OperatorCodeT[] codes = model.getOperatorCodes();
    TensorT[] tensorArray = graph.getTensors();
    int[] bufferUsers = new int[model.getBuffers().length];
    for (SubGraphT g : model.getSubgraphs()) {
      for (TensorT t : g.getTensors()) {
        bufferUsers[(int) t.getBuffer()]++;
      }
    }
    Set<Integer> kernels = new LinkedHashSet<>();
    for (OperatorT op : graph.getOperators()) {
      int code = codes[(int) op.getOpcodeIndex()].getBuiltinCode();
      if (WEIGHTED.contains(code) && op.getInputs().length > 1 && op.getInputs()[1] >= 0) {
        kernels.add(op.getInputs()[1]);
      }
    }
    List<TensorT> tensors = new ArrayList<>(Arrays.asList(tensorArray));
    List<BufferT> buffers = new ArrayList<>(Arrays.asList(model.getBuffers()));
    List<OperatorT> densify = new ArrayList<>();
    List<Encoded> encoded = new ArrayList<>();
    int densifyCode = -1;
    for (int k : kernels) {
      TensorT t = tensorArray[k];
      int width = t.getType() == TensorType.FLOAT32 ? 4 : t.getType() == TensorType.INT8 ? 1 : 0;
      BufferT buffer = buffers.get((int) t.getBuffer());
      int[] data = buffer.getData();
      int[] shape = t.getShape();
      if (width == 0 || t.getBuffer() == 0 || bufferUsers[(int) t.getBuffer()] != 1 || t.getSparsity() != null
          || data == null || shape == null || shape.length < 2) {
        continue;
      }
      int n = data.length / width;
      int last = shape[shape.length - 1];
      int rows = n / last;
      int nonZeros = 0;
      for (int i = 0; i < n; i++) {
        nonZeros += isZero(data, i, width) ? 0 : 1;
      }
      if (n == 0 || (double) (n - nonZeros) / n < threshold) {
        continue;
      }
      int[] values = new int[nonZeros * width];
      int[] segments = new int[rows + 1];
      int[] columns = new int[nonZeros];
      int at = 0;
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < last; c++) {
          int i = r * last + c;
          if (!isZero(data, i, width)) {
            System.arraycopy(data, i * width, values, at * width, width);
            columns[at++] = c;
          }
        }
        segments[r + 1] = at;
      }
      DimensionMetadataT[] dims = new DimensionMetadataT[shape.length];
      for (int d = 0; d < shape.length - 1; d++) {
        dims[d] = new DimensionMetadataT();
        dims[d].setFormat(DimensionType.DENSE);
        dims[d].setDenseSize(shape[d]);
      }
      DimensionMetadataT csr = new DimensionMetadataT();
      csr.setFormat(DimensionType.SPARSE_CSR);
      csr.setArraySegments(indexVector(segments));
      csr.setArrayIndices(indexVector(columns));
      dims[shape.length - 1] = csr;
      SparsityParametersT sparsity = new SparsityParametersT();
      int[] order = new int[shape.length];
      Arrays.setAll(order, i -> i);
      sparsity.setTraversalOrder(order);
      sparsity.setDimMetadata(dims);

      BufferT sparseBuffer = new BufferT();
      sparseBuffer.setData(values);
      buffers.add(sparseBuffer);
      TensorT sparse = new TensorT();
      sparse.setName(t.getName() + "/sparse");
      sparse.setShape(shape.clone());
      sparse.setType(t.getType());
      sparse.setBuffer(buffers.size() - 1);
      sparse.setQuantization(t.getQuantization());
      sparse.setSparsity(sparsity);
      tensors.add(sparse);
      buffer.setData(null);
      t.setBuffer(0);

      if (densifyCode < 0) {
        densifyCode = densifyOpcode(model);
      }
      OperatorT op = new OperatorT();
      op.setOpcodeIndex(densifyCode);
      op.setInputs(new int[] {tensors.size() - 1});
      op.setOutputs(new int[] {k});
      BuiltinOptionsUnion options = new BuiltinOptionsUnion();
      options.setType(BuiltinOptions.DensifyOptions);
      options.setValue(new DensifyOptionsT());
      op.setBuiltinOptions(options);
      densify.add(op);
      long sparseBytes = (long) values.length + indexBytes(segments) + indexBytes(columns);
      encoded.add(new Encoded(t.getName(), n, nonZeros, data.length, sparseBytes));
    }
    if (encoded.isEmpty()) {
      return new Result(tflite.clone(), List.of());
    }
    List<OperatorT> ops = new ArrayList<>(densify);
    ops.addAll(Arrays.asList(graph.getOperators()));
    graph.setOperators(ops.toArray(new OperatorT[0]));
    graph.setTensors(tensors.toArray(new TensorT[0]));
    model.setBuffers(buffers.toArray(new BufferT[0]));
    Uint8Io.nullEmptyVectors(model, new IdentityHashMap<>());
    FlatBufferBuilder builder = new FlatBufferBuilder(tflite.length);
    Model.finishModelBuffer(builder, Model.pack(builder, model));
    return new Result(builder.sizedByteArray(), encoded);
  }

  private static boolean isZero(int[] data, int i, int width) {
    if (width == 1) {
      return data[i] == 0;
    }
    int bits = (data[i * 4] & 0xff) | (data[i * 4 + 1] & 0xff) << 8 | (data[i * 4 + 2] & 0xff) << 16
        | (data[i * 4 + 3] & 0xff) << 24;
    return Float.intBitsToFloat(bits) == 0f;
  }

  /** The smallest of uint8, uint16, int32 vectors that holds {@code values}. */
  private static SparseIndexVectorUnion indexVector(int[] values) {
    int max = Arrays.stream(values).max().orElse(0);
    SparseIndexVectorUnion u = new SparseIndexVectorUnion();
    if (max < 1 << 8) {
      Uint8VectorT v = new Uint8VectorT();
      v.setValues(values);
      u.setType(SparseIndexVector.Uint8Vector);
      u.setValue(v);
    } else if (max < 1 << 16) {
      Uint16VectorT v = new Uint16VectorT();
      v.setValues(values);
      u.setType(SparseIndexVector.Uint16Vector);
      u.setValue(v);
    } else {
      Int32VectorT v = new Int32VectorT();
      v.setValues(values);
      u.setType(SparseIndexVector.Int32Vector);
      u.setValue(v);
    }
    return u;
  }

  private static long indexBytes(int[] values) {
    int max = Arrays.stream(values).max().orElse(0);
    return (long) values.length * (max < 1 << 8 ? 1 : max < 1 << 16 ? 2 : 4);
  }

  private static int densifyOpcode(ModelT model) {
    OperatorCodeT[] codes = model.getOperatorCodes();
    for (int i = 0; i < codes.length; i++) {
      if (codes[i].getBuiltinCode() == BuiltinOperator.DENSIFY) {
        return i;
      }
    }
    OperatorCodeT code = new OperatorCodeT();
    code.setBuiltinCode(BuiltinOperator.DENSIFY);
    code.setDeprecatedBuiltinCode((byte) BuiltinOperator.DENSIFY);
    code.setVersion(1);
    OperatorCodeT[] more = Arrays.copyOf(codes, codes.length + 1);
    more[codes.length] = code;
    model.setOperatorCodes(more);
    return codes.length;
  }
}
