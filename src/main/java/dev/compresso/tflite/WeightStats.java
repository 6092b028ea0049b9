package dev.compresso.tflite;

import com.google.gson.GsonBuilder;
import dev.compresso.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a .tflite file's kernels hold, read back from its buffers: for the weight input (input 1) of every
 * {@code CONV_2D}, {@code DEPTHWISE_CONV_2D}, {@code TRANSPOSE_CONV} and {@code FULLY_CONNECTED}, its zeros,
 * distinct values (per tensor and the most in any output channel: axis 0 of TFLite's {@code [out, ...]}
 * layouts, axis 3 for depthwise), and with an m:n pattern the groups of {@code n} consecutive values along
 * the last axis (the input channels) that hold fewer than {@code m} zeros. Proves pruning, m:n sparsity
 * and clustering survived conversion. Kernels stored sparse ({@code SparsityParameters}) are listed as such.
 *
 * <p>{@code java -cp compresso.jar dev.compresso.tflite.WeightStats FILE.tflite [M:N]} prints one JSON document.
 */
public final class WeightStats {

  /** One kernel. {@code mnViolations} is -1 without a pattern. */
  public record Kernel(String op, int operator, int tensor, String name, String dtype, int[] shape, boolean sparseEncoded,
      long elements, long zeros, int distinct, int maxDistinctPerChannel, long mnGroups, long mnViolations) {}

  /** The kernels of {@code model}; {@code m}, {@code n} of an m:n pattern to check, or 0, 0. */
  public static List<Kernel> of(TfliteModel model, int m, int n) {
    List<Kernel> out = new ArrayList<>();
    SubgraphInfo g = model.primarySubgraph();
    java.util.Map<Integer, Integer> densified = new java.util.HashMap<>();
    for (OperatorInfo op : g.operators()) {
      if (op.op().equals("DENSIFY")) {
        densified.put(op.outputs()[0], op.inputs()[0]);
      }
    }
    for (OperatorInfo op : g.operators()) {
      if (!List.of("CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV", "FULLY_CONNECTED").contains(op.op())
          || op.inputs().length < 2 || op.inputs()[1] < 0) {
        continue;
      }
      TensorInfo t = g.tensor(op.inputs()[1]);
      boolean sparse = densified.containsKey(t.index());
      if (sparse) {
        t = g.tensor(densified.get(t.index()));
      }
      if (!t.isConstant()) {
        continue;
      }
      float[] v = values(t.dtype(), model.bufferData(t.buffer()));
      if (sparse) {
        v = dense(model.sparseColumns(t.index()), v, t.shape());
      }
      int[] shape = t.shape();
      int channelAxis = op.op().equals("DEPTHWISE_CONV_2D") ? shape.length - 1 : 0;
      int channels = shape[channelAxis];
      int inner = 1;
      for (int a = channelAxis + 1; a < shape.length; a++) {
        inner *= shape[a];
      }
      List<Set<Float>> perChannel = new ArrayList<>();
      for (int c = 0; c < channels; c++) {
        perChannel.add(new HashSet<>());
      }
      Set<Float> all = new HashSet<>();
      long zeros = 0;
      for (int i = 0; i < v.length; i++) {
        float x = v[i] == 0f ? 0f : v[i];
        zeros += x == 0f ? 1 : 0;
        all.add(x);
        perChannel.get((i / inner) % channels).add(x);
      }
      long groups = -1;
      long violations = -1;
      int last = shape[shape.length - 1];
      if (n > 0 && last % n == 0) {
        groups = v.length / n;
        violations = 0;
        for (int q = 0; q < groups; q++) {
          int z = 0;
          for (int j = 0; j < n; j++) {
            z += v[q * n + j] == 0f ? 1 : 0;
          }
          violations += z < m ? 1 : 0;
        }
      }
      out.add(new Kernel(op.op(), op.index(), t.index(), t.name(), t.dtype(), shape, sparse, v.length, zeros, all.size(),
          perChannel.stream().mapToInt(Set::size).max().orElse(0), groups, violations));
    }
    return out;
  }

  /** Scatters CSR values ({@code rows[r]} = the columns of row r's non-zeros) into a dense array. */
  private static float[] dense(int[][] rows, float[] values, int[] shape) {
    int last = shape[shape.length - 1];
    float[] out = new float[rows.length * last];
    int at = 0;
    for (int r = 0; r < rows.length; r++) {
      for (int c : rows[r]) {
        out[r * last + c] = values[at++];
      }
    }
    return out;
  }

  private static int width(String dtype) {
    return switch (dtype) {
      case "FLOAT32", "INT32" -> 4;
      case "INT16" -> 2;
      case "INT8", "UINT8" -> 1;
      default -> throw new BadInputException("kernel of type " + dtype + " is not read by WeightStats");
    };
  }

  private static float[] values(String dtype, byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[data.length / width(dtype)];
    for (int i = 0; i < v.length; i++) {
      v[i] = switch (dtype) {
        case "FLOAT32" -> b.getFloat();
        case "INT32" -> b.getInt();
        case "INT16" -> b.getShort();
        case "INT8" -> b.get();
        case "UINT8" -> b.get() & 0xff;
        default -> throw new IllegalStateException(dtype);
      };
    }
    return v;
  }

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: WeightStats FILE.tflite [M:N]");
      System.exit(2);
    }
    try {
      int m = 0;
      int n = 0;
      if (args.length == 2) {
        String[] p = args[1].split(":");
        m = Integer.parseInt(p[0]);
        n = Integer.parseInt(p[1]);
      }
      List<Kernel> kernels = of(TfliteModel.read(Path.of(args[0])), m, n);
      System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(kernels));
    } catch (BadInputException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
      System.err.println("WeightStats: " + e.getMessage());
      System.exit(2);
    }
  }
}
