package dev.compresso.qat;

import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.Rewrite;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import dev.compresso.quant.FakeQuantInsertion;
import dev.compresso.quant.QuantPlan;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inference graph QAT writes: the float model's own graph with its trained variables, plus the
 * FakeQuant nodes calibration would insert ({@link FakeQuantInsertion}), holding the learned activation
 * ranges and the trained kernels' symmetric bounds as constants. {@code convert --precision int8} reads
 * its ranges from these nodes and needs no calibration data.
 *
 * <p>The rewrites are computed on the frozen form of the trained model (kernels as constants, same node
 * names) and applied to the graph with variables, so the exported kernel reads stay {@code <var>/read}.
 */
public final class QatExport {

  private QatExport() {}

  /**
   * The inference model.
   *
   * @param trained the float model with the trained (and masked) weights
   * @param plan the sites
   * @param ranges the learned {@code {min, max}} per measured activation site
   */
  public static ImportedModel inference(ImportedModel trained, QuantPlan plan, Map<String, float[]> ranges) {
    FrozenGraph frozen = Freezer.freeze(trained, Freezer.DEFAULT_BATCH);
    List<Rewrite> rewrites = FakeQuantInsertion.rewrites(new GraphIndex(frozen.graphDef()), plan, ranges,
        Set.of(TensorRef.parse(trained.outputTensor()).node()));
    return trained.with(GraphRewriter.apply(trained.graph(), rewrites), trained.variables());
  }
}
