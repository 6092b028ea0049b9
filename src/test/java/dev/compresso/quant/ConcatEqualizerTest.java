package dev.compresso.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.data.Dataset;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.model.FrozenGraph;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.GraphDef;

/**
 * Concat equalization on the tiny UNet-like graph: the transposed conv branch (range far above the
 * skip's) is scaled down to the skip's range, the head conv's matching input channels up, and TF gives
 * the same outputs as before within 1e-4.
 */
class ConcatEqualizerTest {

  @Test
  void equalizesTheLargeInputAndKeepsTheFloatFunction() {
    FrozenGraph graph = TinyQuantGraphs.unetLike();
    Dataset data = TinyQuantGraphs.data(10, 2);
    QuantPlan plan = QuantPlanner.defaults().plan(graph);
    Map<String, RangeTracker> ranges = RangeCollector.collect(graph, plan.measuredNodes(), data, 10,
        MinMaxTracker::new);
    float skip = Math.max(Math.abs(ranges.get("enc_relu").min()), ranges.get("enc_relu").max());
    float up = Math.max(Math.abs(ranges.get("up_bias_add").min()), ranges.get("up_bias_add").max());
    assertTrue(up > 5 * skip, "fixture: up " + up + " vs skip " + skip);

    ConcatEqualizer.Outcome eq = ConcatEqualizer.equalize(graph, plan, ranges);
    assertEquals(1, eq.equalized().size());
    ConcatEqualizer.Equalized e = eq.equalized().get(0);
    assertEquals("up_conv_transpose", e.producer());
    assertEquals(List.of("head_conv"), e.consumers());
    assertEquals(skip, e.target(), 1e-6f);
    // Kernel and bias of the producer, kernel of the consumer.
    assertEquals(3, eq.rewrites().size());

    GraphDef after = GraphRewriter.apply(graph.graphDef(), eq.rewrites());
    FrozenGraph equalized = new FrozenGraph(after, graph.signature(), graph.inputs(), graph.outputs());
    int per = TinyQuantGraphs.H * TinyQuantGraphs.H * TinyQuantGraphs.C;
    Dataset held = TinyQuantGraphs.data(3, 77);
    for (int i = 0; i < held.size(); i++) {
      float[] x = Arrays.copyOfRange(held.inputs(), i * per, (i + 1) * per);
      float[] before = TinyQuantGraphs.run(graph.graphDef(), x);
      float[] now = TinyQuantGraphs.run(after, x);
      assertTrue(CalibrationTest.maxAbsDiff(before, now) <= 1e-4, "max abs diff " + CalibrationTest.maxAbsDiff(before, now));
    }
    Map<String, RangeTracker> again = RangeCollector.collect(equalized, plan.measuredNodes(), data, 10,
        MinMaxTracker::new);
    float upAfter = Math.max(Math.abs(again.get("up_bias_add").min()), again.get("up_bias_add").max());
    assertEquals(skip, upAfter, 1e-3f * skip);
    float concatAfter = Math.max(Math.abs(again.get("concat").min()), again.get("concat").max());
    assertEquals(skip, concatAfter, 1e-3f * skip);
  }

  @Test
  void aWeakerStrengthStillEqualizes() {
    FrozenGraph graph = TinyQuantGraphs.unetLike();
    QuantPlan plan = QuantPlanner.defaults().plan(graph);
    Map<String, RangeTracker> ranges = RangeCollector.collect(graph, plan.measuredNodes(),
        TinyQuantGraphs.data(4, 2), 4, MinMaxTracker::new);
    // Strength in (0, 1]; a weaker strength moves the range only part of the way.
    ConcatEqualizer.Outcome half = ConcatEqualizer.equalize(graph, plan, ranges, 0.5);
    assertEquals(1, half.equalized().size());
  }
}
