package dev.compresso.edgetpu;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The result of {@link EdgeTpuChecker#check}: a verdict per operator, model-level findings, the share of
 * operators and of MACs on the TPU, and parameter bytes against the on-chip cache.
 *
 * @param source the model's file name
 * @param modelFindings broken {@link EdgeTpuRules#MODEL} rules
 * @param ops one verdict per operator of the primary subgraph, in execution order
 * @param parameterBytesOnTpu bytes of distinct constant buffers read by TPU ops (what the compiler would
 *     cache on chip or stream)
 * @param parameterBytesTotal bytes of distinct constant buffers read by any op
 * @param subgraphs number of subgraphs in the model (only the primary one is checked)
 */
public record EdgeTpuReport(String source, List<Finding> modelFindings, List<OpVerdict> ops, long parameterBytesOnTpu,
    long parameterBytesTotal, int subgraphs) {

  /**
   * On-chip memory usable for parameters, in bytes: 7.86 MiB, what the compiler reports as remaining
   * for parameter caching on a model with almost none ({@link EdgeTpuRules#ON_CHIP}); nominally "roughly
   * 8 MB", less the part reserved for the executable. Parameters beyond it are streamed from host memory
   * on every inference, which is slower.
   */
  public static final long ON_CHIP_PARAMETER_BYTES = Math.round(7.86 * 1024 * 1024);

  public EdgeTpuReport {
    Objects.requireNonNull(source, "source");
    modelFindings = List.copyOf(modelFindings);
    ops = List.copyOf(ops);
  }

  public int opsTotal() {
    return ops.size();
  }

  public int opsOnTpu() {
    return (int) ops.stream().filter(o -> o.placement() == Placement.TPU).count();
  }

  public long macsTotal() {
    return ops.stream().mapToLong(OpVerdict::macs).sum();
  }

  public long macsOnTpu() {
    return ops.stream().filter(o -> o.placement() == Placement.TPU).mapToLong(OpVerdict::macs).sum();
  }

  /** Share of operators on the TPU, 0..1 (0 for a model without operators). */
  public double opShare() {
    return ops.isEmpty() ? 0 : (double) opsOnTpu() / ops.size();
  }

  /** Share of MACs on the TPU, 0..1 (0 when the model has no MAC ops). */
  public double macShare() {
    return macsTotal() == 0 ? 0 : (double) macsOnTpu() / macsTotal();
  }

  /** Whether every operator maps to the TPU (and there is at least one). */
  public boolean mapsFully() {
    return !ops.isEmpty() && opsOnTpu() == ops.size();
  }

  /**
   * Whether the only ops left on the CPU are an integer head at the end ({@link EdgeTpuRules#INTEGER_HEAD_OPS}:
   * an ArgMax class map), which costs one hand-off after the whole TPU part.
   */
  public boolean onlyIntegerHeadOnCpu() {
    int first = firstUnmappable();
    return first > 0 && EdgeTpuRules.INTEGER_HEAD_OPS.containsAll(
        ops.subList(first, ops.size()).stream().map(OpVerdict::op).toList());
  }

  /** Index of the first operator that cannot map, -1 when all map. */
  public int firstUnmappable() {
    return ops.stream().filter(o -> !o.mappable()).mapToInt(OpVerdict::index).findFirst().orElse(-1);
  }

  /** Whether the TPU's parameters fit in the on-chip cache. */
  public boolean parametersFitOnChip() {
    return parameterBytesOnTpu <= ON_CHIP_PARAMETER_BYTES;
  }

  /** One line: how much maps and, when not everything, where the CPU part starts and why. */
  public String verdict() {
    if (ops.isEmpty()) {
      return "the model has no operators";
    }
    if (mapsFully()) {
      return String.format(Locale.ROOT, "all %d ops map to the Edge TPU (%s of MACs)", ops.size(),
          percent(macShare()));
    }
    OpVerdict first = ops.get(firstUnmappable());
    String why = first.findings().stream().map(Finding::rule).distinct().reduce((a, b) -> a + ", " + b).orElse("");
    if (opsOnTpu() == 0) {
      return String.format(Locale.ROOT, "no op maps to the Edge TPU: op #%d %s breaks %s", first.index(), first.op(),
          why);
    }
    if (onlyIntegerHeadOnCpu()) {
      List<String> tail = ops.subList(firstUnmappable(), ops.size()).stream().map(OpVerdict::op).toList();
      return String.format(Locale.ROOT, "%d of %d ops map to the Edge TPU (%s of MACs); only the integer head at "
          + "the end (%s) runs on the CPU, after the TPU part (one hand-off, no round trip)", opsOnTpu(), ops.size(),
          percent(macShare()), String.join(", ", tail));
    }
    return String.format(Locale.ROOT, "%d of %d ops map to the Edge TPU (%s of MACs); from op #%d %s (%s) on, "
        + "everything runs on the CPU", opsOnTpu(), ops.size(), percent(macShare()), first.index(), first.op(), why);
  }

  /** The human-readable report. */
  public String text() {
    StringBuilder b = new StringBuilder();
    b.append(source).append(": Edge TPU check against Coral's published requirements (no compiler was run)\n");
    if (subgraphs > 1) {
      b.append("  note: the model has ").append(subgraphs).append(" subgraphs; only subgraph 0 is checked\n");
    }
    b.append(String.format(Locale.ROOT, "  %4s  %-24s %3s  %-4s %15s  %s%n", "#", "op", "v", "runs", "MACs",
        "reason"));
    for (OpVerdict o : ops) {
      String head = String.format(Locale.ROOT, "  %4d  %-24s %3d  %-4s %15s  ", o.index(), o.op(), o.version(),
          o.placement(), o.macs() == 0 ? "" : String.format(Locale.ROOT, "%,d", o.macs()));
      String indent = " ".repeat(head.length());
      if (o.findings().isEmpty()) {
        b.append(head).append(o.blockedBy() >= 0 ? "falls back: comes after op #" + o.blockedBy()
            + ", the first the Edge TPU cannot map" : "").append('\n');
        continue;
      }
      for (int i = 0; i < o.findings().size(); i++) {
        b.append(i == 0 ? head : indent).append(o.findings().get(i)).append('\n');
      }
    }
    for (Finding f : modelFindings) {
      b.append("  model: ").append(f).append('\n');
    }
    b.append(String.format(Locale.ROOT, "ops on the TPU:  %d of %d (%s)%n", opsOnTpu(), ops.size(),
        percent(opShare())));
    b.append(String.format(Locale.ROOT, "MACs on the TPU: %,d of %,d (%s)%n", macsOnTpu(), macsTotal(),
        percent(macShare())));
    b.append(String.format(Locale.ROOT, "parameters on the TPU: %,d bytes of %,d usable on chip (%s)%n",
        parameterBytesOnTpu, ON_CHIP_PARAMETER_BYTES, parametersFitOnChip() ? "cached on chip"
            : "the rest streams from host memory on every inference"));
    b.append("verdict: ").append(verdict()).append('\n');
    return b.toString();
  }

  /** The report as one JSON object (field names are part of the CLI contract). */
  public JsonObject json() {
    JsonObject root = new JsonObject();
    root.addProperty("model", source);
    root.addProperty("checked_against", "Coral's published Edge TPU model requirements (" + EdgeTpuRules.MODELS_INTRO
        + "); no compiler was run");
    root.addProperty("subgraphs", subgraphs);
    JsonArray opArray = new JsonArray();
    for (OpVerdict o : ops) {
      JsonObject j = new JsonObject();
      j.addProperty("index", o.index());
      j.addProperty("op", o.op());
      j.addProperty("version", o.version());
      j.addProperty("placement", o.placement().name());
      j.addProperty("mappable", o.mappable());
      j.addProperty("falls_back_only_because_of_earlier_op", o.fallsBackOnlyBecauseOfEarlierOp());
      if (o.blockedBy() >= 0) {
        j.addProperty("blocked_by", o.blockedBy());
      }
      j.add("reasons", findings(o.findings()));
      j.addProperty("macs", o.macs());
      j.addProperty("parameter_bytes", o.parameterBytes());
      opArray.add(j);
    }
    root.add("ops", opArray);
    root.add("model_findings", findings(modelFindings));
    JsonObject summary = new JsonObject();
    summary.addProperty("ops_total", opsTotal());
    summary.addProperty("ops_on_tpu", opsOnTpu());
    summary.addProperty("op_share", opShare());
    summary.addProperty("macs_total", macsTotal());
    summary.addProperty("macs_on_tpu", macsOnTpu());
    summary.addProperty("mac_share", macShare());
    summary.addProperty("first_cpu_op", firstUnmappable());
    summary.addProperty("parameter_bytes_on_tpu", parameterBytesOnTpu);
    summary.addProperty("parameter_bytes_total", parameterBytesTotal);
    summary.addProperty("on_chip_parameter_bytes", ON_CHIP_PARAMETER_BYTES);
    summary.addProperty("parameters_fit_on_chip", parametersFitOnChip());
    summary.addProperty("maps_fully", mapsFully());
    summary.addProperty("verdict", verdict());
    root.add("summary", summary);
    return root;
  }

  private static JsonArray findings(List<Finding> list) {
    JsonArray a = new JsonArray();
    for (Finding f : list) {
      JsonObject j = new JsonObject();
      j.addProperty("rule", f.rule());
      j.addProperty("reason", f.reason());
      j.addProperty("detail", f.detail());
      a.add(j);
    }
    return a;
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }
}
