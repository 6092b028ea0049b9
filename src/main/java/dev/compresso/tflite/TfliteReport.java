package dev.compresso.tflite;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code compresso inspect FILE.tflite} prints: operators with versions and an op histogram,
 * tensors with dtypes, shapes and quantization, buffer bytes (total and by dtype), subgraphs, signature
 * defs, and a count of float versus integer tensors. {@link #text} and {@link #json} carry the same facts.
 */
public final class TfliteReport {

  private TfliteReport() {}

  /** The report as one JSON object. */
  public static JsonObject json(TfliteModel model) {
    JsonObject root = new JsonObject();
    root.addProperty("file", model.source());
    root.addProperty("format", "tflite");
    root.addProperty("bytes", model.sizeBytes());
    root.addProperty("schema_version", model.version());
    root.addProperty("description", model.description());
    Totals totals = totals(model);
    JsonObject buffers = new JsonObject();
    buffers.addProperty("count", model.bufferBytes().length);
    buffers.addProperty("total_bytes", totals.constantBytes);
    JsonObject byDtype = new JsonObject();
    totals.bytesByDtype.forEach(byDtype::addProperty);
    buffers.add("bytes_by_dtype", byDtype);
    root.add("buffers", buffers);
    JsonObject counts = new JsonObject();
    counts.addProperty("tensors", totals.tensors);
    counts.addProperty("float_tensors", totals.floatTensors);
    counts.addProperty("integer_tensors", totals.intTensors);
    counts.addProperty("other_tensors", totals.tensors - totals.floatTensors - totals.intTensors);
    counts.addProperty("quantized_tensors", totals.quantizedTensors);
    counts.addProperty("operators", totals.operators);
    counts.addProperty("parameters", totals.parameters);
    root.add("counts", counts);
    JsonObject histogram = new JsonObject();
    totals.opHistogram.forEach(histogram::addProperty);
    root.add("op_histogram", histogram);
    JsonArray signatures = new JsonArray();
    for (SignatureInfo s : model.signatures()) {
      JsonObject o = new JsonObject();
      o.addProperty("key", s.key());
      o.addProperty("subgraph", s.subgraph());
      o.add("inputs", signatureTensors(model, s.subgraph(), s.inputs()));
      o.add("outputs", signatureTensors(model, s.subgraph(), s.outputs()));
      signatures.add(o);
    }
    root.add("signatures", signatures);
    JsonArray subgraphs = new JsonArray();
    for (SubgraphInfo g : model.subgraphs()) {
      JsonObject o = new JsonObject();
      o.addProperty("index", g.index());
      o.addProperty("name", g.name());
      o.add("inputs", ints(g.inputs()));
      o.add("outputs", ints(g.outputs()));
      JsonArray ops = new JsonArray();
      for (OperatorInfo op : g.operators()) {
        JsonObject j = new JsonObject();
        j.addProperty("index", op.index());
        j.addProperty("op", op.op());
        j.addProperty("builtin_code", op.builtinCode());
        j.addProperty("version", op.version());
        j.add("inputs", ints(op.inputs()));
        j.add("outputs", ints(op.outputs()));
        ops.add(j);
      }
      o.add("operators", ops);
      JsonArray tensors = new JsonArray();
      for (TensorInfo t : g.tensors()) {
        tensors.add(tensorJson(t));
      }
      o.add("tensors", tensors);
      subgraphs.add(o);
    }
    root.add("subgraphs", subgraphs);
    return root;
  }

  /** The report as human-readable text (several lines, ending with a newline). */
  public static String text(TfliteModel model) {
    StringBuilder sb = new StringBuilder();
    Totals totals = totals(model);
    sb.append(model.source()).append(": TFLite model, ").append(model.sizeBytes()).append(" bytes, schema v")
        .append(model.version());
    if (!model.description().isEmpty()) {
      sb.append(", \"").append(model.description()).append('"');
    }
    sb.append('\n');
    sb.append(String.format("tensors: %d (%d float, %d integer, %d other; %d quantized), operators: %d, "
        + "parameters: %d%n", totals.tensors, totals.floatTensors, totals.intTensors,
        totals.tensors - totals.floatTensors - totals.intTensors, totals.quantizedTensors, totals.operators,
        totals.parameters));
    sb.append("buffers: ").append(model.bufferBytes().length).append(", ").append(totals.constantBytes)
        .append(" bytes of constants");
    if (!totals.bytesByDtype.isEmpty()) {
      sb.append(" (");
      sb.append(String.join(", ", totals.bytesByDtype.entrySet().stream()
          .map(e -> e.getKey() + " " + e.getValue()).toList()));
      sb.append(')');
    }
    sb.append('\n');
    sb.append("op histogram: ").append(String.join(", ", totals.opHistogram.entrySet().stream()
        .map(e -> e.getKey() + " x" + e.getValue()).toList())).append('\n');
    for (SignatureInfo s : model.signatures()) {
      SubgraphInfo g = model.subgraphs().get(s.subgraph());
      sb.append("signature '").append(s.key()).append("' (subgraph ").append(s.subgraph()).append(")\n");
      s.inputs().forEach((name, t) -> sb.append("  in  ").append(name).append(": ").append(brief(g.tensor(t)))
          .append('\n'));
      s.outputs().forEach((name, t) -> sb.append("  out ").append(name).append(": ").append(brief(g.tensor(t)))
          .append('\n'));
    }
    for (SubgraphInfo g : model.subgraphs()) {
      sb.append("subgraph ").append(g.index()).append(g.name().isEmpty() ? "" : " '" + g.name() + "'")
          .append(": ").append(g.tensors().size()).append(" tensors, ").append(g.operators().size())
          .append(" operators, inputs ").append(Arrays.toString(g.inputs())).append(", outputs ")
          .append(Arrays.toString(g.outputs())).append('\n');
      sb.append("  operators:\n");
      for (OperatorInfo op : g.operators()) {
        sb.append(String.format("    %4d  %-24s v%-2d %s -> %s%n", op.index(), op.op(), op.version(),
            Arrays.toString(op.inputs()), Arrays.toString(op.outputs())));
      }
      sb.append("  tensors:\n");
      for (TensorInfo t : g.tensors()) {
        sb.append(String.format("    %4d  %s%n", t.index(), brief(t)));
      }
    }
    return sb.toString();
  }

  private static String brief(TensorInfo t) {
    StringBuilder sb = new StringBuilder();
    sb.append('\'').append(t.name()).append("' ").append(t.dtype()).append(Arrays.toString(t.shape()));
    if (t.shapeSignature().length > 0 && !Arrays.equals(t.shape(), t.shapeSignature())) {
      sb.append(" signature ").append(Arrays.toString(t.shapeSignature()));
    }
    if (t.isConstant()) {
      sb.append(" const ").append(t.bufferBytes()).append(" B (buffer ").append(t.buffer()).append(')');
    }
    if (t.isVariable()) {
      sb.append(" variable");
    }
    if (t.quantization().isQuantized()) {
      sb.append(' ').append(t.quantization());
    }
    return sb.toString();
  }

  private static JsonObject tensorJson(TensorInfo t) {
    JsonObject j = new JsonObject();
    j.addProperty("index", t.index());
    j.addProperty("name", t.name());
    j.addProperty("dtype", t.dtype());
    j.add("shape", ints(t.shape()));
    j.add("shape_signature", ints(t.shapeSignature()));
    j.addProperty("buffer", t.buffer());
    j.addProperty("buffer_bytes", t.bufferBytes());
    j.addProperty("is_variable", t.isVariable());
    Quantization q = t.quantization();
    if (q.isQuantized()) {
      JsonObject qj = new JsonObject();
      JsonArray scales = new JsonArray();
      for (float s : q.scales()) {
        scales.add(s);
      }
      JsonArray zeros = new JsonArray();
      for (long z : q.zeroPoints()) {
        zeros.add(z);
      }
      qj.add("scales", scales);
      qj.add("zero_points", zeros);
      qj.addProperty("quantized_dimension", q.quantizedDimension());
      j.add("quantization", qj);
    }
    return j;
  }

  private static JsonArray signatureTensors(TfliteModel model, int subgraph, Map<String, Integer> map) {
    JsonArray a = new JsonArray();
    map.forEach((name, index) -> {
      JsonObject o = tensorJson(model.subgraphs().get(subgraph).tensor(index));
      o.addProperty("signature_name", name);
      a.add(o);
    });
    return a;
  }

  private static JsonArray ints(int[] values) {
    JsonArray a = new JsonArray();
    for (int v : values) {
      a.add(v);
    }
    return a;
  }

  private static final class Totals {
    int tensors;
    int floatTensors;
    int intTensors;
    int quantizedTensors;
    int operators;
    long parameters;
    long constantBytes;
    final Map<String, Long> bytesByDtype = new TreeMap<>();
    final Map<String, Integer> opHistogram = new TreeMap<>();
  }

  private static Totals totals(TfliteModel model) {
    Totals t = new Totals();
    long[] buffers = model.bufferBytes();
    boolean[] counted = new boolean[buffers.length];
    for (SubgraphInfo g : model.subgraphs()) {
      for (TensorInfo tensor : g.tensors()) {
        t.tensors++;
        if (TfliteTypes.isFloat(tensor.dtype())) {
          t.floatTensors++;
        } else if (TfliteTypes.isInteger(tensor.dtype())) {
          t.intTensors++;
        }
        if (tensor.quantization().isQuantized()) {
          t.quantizedTensors++;
        }
        if (tensor.isConstant() && !counted[tensor.buffer()]) {
          counted[tensor.buffer()] = true;
          t.parameters += tensor.elements();
          t.bytesByDtype.merge(tensor.dtype(), tensor.bufferBytes(), Long::sum);
        }
      }
      for (OperatorInfo op : g.operators()) {
        t.operators++;
        t.opHistogram.merge(op.op(), 1, Integer::sum);
      }
    }
    for (long b : buffers) {
      t.constantBytes += b;
    }
    return t;
  }
}
