package dev.compresso.edgetpu;

import dev.compresso.BadInputException;
import dev.compresso.tflite.OperatorInfo;
import dev.compresso.tflite.SubgraphInfo;
import dev.compresso.tflite.TensorInfo;
import dev.compresso.tflite.TfliteModel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.lite.schema.Model;

/**
 * Applies {@link EdgeTpuRules} to the primary subgraph of a model, then Coral's one-partition rule: the
 * compiler maps operators in execution order up to the first one it cannot map; that op and every op
 * after it stay on the CPU, even ops that could map by themselves ({@link EdgeTpuRules#PARTITION}). Every
 * broken rule of every op is reported, not just the first.
 */
public final class EdgeTpuChecker {

  private EdgeTpuChecker() {}

  /** Checks a validated model. Reads only the flatbuffer; never throws on a model that broke rules. */
  public static EdgeTpuReport check(TfliteModel model) {
    try {
      return checkUnguarded(model);
    } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
      // TfliteReader checks what the interpreter reads; a damaged field only the rules read lands here.
      throw new BadInputException(model.source() + ": not a valid TFLite model: corrupt flatbuffer field ("
          + e.getClass().getSimpleName() + ")", e);
    }
  }

  private static EdgeTpuReport checkUnguarded(TfliteModel model) {
    Model schema = Model.getRootAsModel(ByteBuffer.wrap(model.bytes()));
    SubgraphInfo graph = model.primarySubgraph();
    List<Finding> modelFindings = new ArrayList<>();
    for (ModelRule rule : EdgeTpuRules.MODEL) {
      rule.apply(graph).ifPresent(modelFindings::add);
    }
    List<OpVerdict> verdicts = new ArrayList<>();
    Set<Integer> tpuBuffers = new HashSet<>();
    Set<Integer> allBuffers = new HashSet<>();
    long tpuBytes = 0;
    long allBytes = 0;
    int firstUnmappable = -1;
    for (OperatorInfo op : graph.operators()) {
      OpEntry entry = EdgeTpuRules.entry(op.op()).orElse(null);
      OpContext ctx = new OpContext(op, graph, schema, entry);
      List<Finding> findings = new ArrayList<>();
      for (Rule rule : EdgeTpuRules.GENERAL) {
        rule.apply(ctx).ifPresent(findings::add);
      }
      if (entry != null) {
        for (Rule rule : entry.limits()) {
          rule.apply(ctx).ifPresent(findings::add);
        }
      }
      if (!findings.isEmpty() && firstUnmappable < 0) {
        firstUnmappable = op.index();
      }
      Placement placement = firstUnmappable < 0 ? Placement.TPU : Placement.CPU;
      int blockedBy = firstUnmappable >= 0 && firstUnmappable < op.index() ? firstUnmappable : -1;
      long macs = entry == null ? 0 : entry.macs().macs(ctx);
      long opBytes = 0;
      for (OpContext.Slot s : ctx.inputs()) {
        TensorInfo t = s.tensor();
        if (t.isConstant()) {
          opBytes += t.bufferBytes();
          if (allBuffers.add(t.buffer())) {
            allBytes += t.bufferBytes();
          }
          if (placement == Placement.TPU && tpuBuffers.add(t.buffer())) {
            tpuBytes += t.bufferBytes();
          }
        }
      }
      verdicts.add(new OpVerdict(op.index(), op.op(), op.version(), placement, findings, blockedBy, macs, opBytes));
    }
    return new EdgeTpuReport(model.source(), modelFindings, verdicts, tpuBytes, allBytes, model.subgraphs().size());
  }
}
