package dev.compresso.edgetpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.tensorflow.lite.schema.BuiltinOperator;

/** The rule table itself: what it claims, no duplicates, every rule with a reason and a source. */
class EdgeTpuRulesTest {

  /** Ops Coral documents as supported that every Compresso user meets (DESIGN.md, issue 8). */
  private static final List<String> CLAIMED = List.of("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED",
      "AVERAGE_POOL_2D", "MAX_POOL_2D", "CONCATENATION", "ADD", "MUL", "SUB", "RESHAPE", "SOFTMAX", "LOGISTIC",
      "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR", "TRANSPOSE_CONV", "RELU", "RELU6", "TANH", "QUANTIZE", "PAD",
      "MEAN", "SQUEEZE", "STRIDED_SLICE", "PACK", "SLICE", "SPLIT", "SPACE_TO_DEPTH", "L2_NORMALIZATION", "MAXIMUM",
      "MINIMUM", "EXPAND_DIMS", "PRELU", "REDUCE_MAX", "REDUCE_MIN");

  /** Ops Coral does not list; they must stay out of the table. */
  private static final List<String> NOT_SUPPORTED = List.of("TRANSPOSE", "DEQUANTIZE", "SHAPE", "HARD_SWISH",
      "GATHER", "BATCH_MATMUL", "LEAKY_RELU", "DIV", "CAST");

  @Test
  void tableCoversWhatItClaimsAndNothingCoralLeavesOut() {
    for (String op : CLAIMED) {
      assertTrue(EdgeTpuRules.entry(op).isPresent(), op + " missing from the table");
    }
    for (String op : NOT_SUPPORTED) {
      assertFalse(EdgeTpuRules.entry(op).isPresent(), op + " is not in Coral's table");
    }
  }

  @Test
  void everyRowIsARealTfliteOpWithASourceAndRules() {
    Set<String> builtins = Set.of(BuiltinOperator.names);
    Set<String> coralNames = new HashSet<>();
    for (OpEntry e : EdgeTpuRules.OPS) {
      assertTrue(builtins.contains(e.op()), e.op() + " is not a TFLite builtin operator");
      assertTrue(coralNames.add(e.coralName()), e.coralName() + " twice");
      assertFalse(e.source().isBlank(), e.op());
      // The general rules apply to every row; the row's own limits each carry a reason and a source.
      for (Rule r : e.limits()) {
        assertFalse(r.reason().isBlank(), e.op() + " " + r.id());
        assertFalse(r.source().isBlank(), e.op() + " " + r.id());
      }
      assertTrue(e.parameterInputs().containsAll(e.int32Inputs()), e.op() + ": an int32 input that is not a parameter");
      boolean macOp = Set.of("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV").contains(e.op());
      assertEquals(macOp, e.macs() != MacFormula.NONE, e.op());
    }
    assertEquals(EdgeTpuRules.OPS.size(), EdgeTpuRules.supportedOps().size());
  }

  @Test
  void ruleIdsAreUniqueAndEveryRuleHasAReasonAndASource() {
    List<String> ids = new ArrayList<>();
    EdgeTpuRules.GENERAL.forEach(r -> ids.add(r.id()));
    EdgeTpuRules.MODEL.forEach(r -> ids.add(r.id()));
    assertEquals(ids.size(), new HashSet<>(ids).size(), ids.toString());
    Set<String> limitIds = new HashSet<>();
    EdgeTpuRules.OPS.forEach(e -> e.limits().forEach(r -> limitIds.add(r.id())));
    for (String id : limitIds) {
      assertFalse(ids.contains(id), id + " is both a general and an op rule");
    }
    Stream.concat(EdgeTpuRules.GENERAL.stream().map(Rule::reason), EdgeTpuRules.MODEL.stream().map(ModelRule::reason))
        .forEach(reason -> assertFalse(reason.isBlank()));
  }

  @Test
  void duplicatesAreRefused() {
    OpEntry add = EdgeTpuRules.entry("ADD").orElseThrow();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> EdgeTpuRules.index(List.of(add, add)));
    assertTrue(e.getMessage().contains("ADD twice"), e.getMessage());
    Rule r = EdgeTpuRules.entry("MAX_POOL_2D").orElseThrow().limits().get(0);
    OpEntry twice = new OpEntry("X", "X", Evidence.SOURCED, "s", 0, "", Set.of(), Set.of(), MacFormula.NONE,
        List.of(r, r));
    assertThrows(IllegalStateException.class, () -> EdgeTpuRules.index(List.of(twice)));
  }

  @Test
  void versionLimitsCarryTheirSource() {
    assertEquals(5, EdgeTpuRules.entry("CONV_2D").orElseThrow().maxVersion());
    assertEquals(3, EdgeTpuRules.entry("TRANSPOSE_CONV").orElseThrow().maxVersion());
    assertTrue(EdgeTpuRules.entry("CONV_2D").orElseThrow().versionSource().contains("edgetpu#631"));
    assertThrows(IllegalArgumentException.class, () -> new OpEntry("X", "X", Evidence.SOURCED, "s", 2, "", Set.of(),
        Set.of(), MacFormula.NONE, List.of()));
  }
}
