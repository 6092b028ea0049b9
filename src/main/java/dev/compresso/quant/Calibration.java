package dev.compresso.quant;

import dev.compresso.BadInputException;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.data.InputFeeds;
import dev.compresso.data.SampleSource;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.Rewrite;
import dev.compresso.model.FrozenGraph;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Post-training calibration: measures activation ranges of a frozen float graph over representative data
 * and returns the graph with FakeQuant nodes holding those ranges as constants, which the TFLite converter
 * turns into a full-integer model (DESIGN.md, pipeline "calibrate (PTQ)").
 *
 * <p>Steps: plan the quantized tensors ({@link QuantPlanner}; unsupported ops fail here, all named);
 * optionally equalize concat input ranges ({@link ConcatEqualizer}, which rescales weights so the float
 * function is unchanged); run the data through TF Java and track min/max ({@link RangeCollector} with
 * {@link MinMaxTracker}); let post-training methods change constants and choose ranges ({@link
 * CalibrationHook}); insert FakeQuant nodes ({@link FakeQuantInsertion}).
 */
public final class Calibration {

  private Calibration() {}

  /**
   * The result.
   *
   * @param graph the frozen graph with FakeQuant nodes
   * @param ranges the chosen {@code {min, max}} per planned node (before widening to contain 0)
   * @param equalized the concats whose inputs were equalized, with the producers rescaled
   */
  public record Result(FrozenGraph graph, Map<String, float[]> ranges, List<ConcatEqualizer.Equalized> equalized) {}

  /**
   * Full-integer ranges for a conversion: returns {@code graph} with FakeQuant nodes on every tensor
   * TFLite quantizes. A graph that already has them (QAT) is returned as is; otherwise ranges are measured
   * over the first {@value CalibrationOptions#SAMPLES_DEFAULT} samples of {@code calibrationData} (a DATA
   * spec, {@link DataSources#open}).
   *
   * @param model names the model in the error when there are neither ranges nor data
   * @param calibrationData may be null when the graph has FakeQuant nodes
   */
  public static FrozenGraph withRanges(FrozenGraph graph, Path model, String calibrationData) {
    return withRanges(graph, model, calibrationData, CalibrationOptions.defaults());
  }

  /** {@link #withRanges(FrozenGraph, Path, String)} with these calibration options. */
  public static FrozenGraph withRanges(FrozenGraph graph, Path model, String calibrationData,
      CalibrationOptions options) {
    if (graph.hasFakeQuant()) {
      return graph;
    }
    if (calibrationData == null) {
      throw new BadInputException(model + " has no FakeQuant nodes (no quantization ranges from QAT); give "
          + "'compresso convert --calibration-data DATA' (" + DataSources.ACCEPTED + ") to measure them, or run 'compresso qat' first");
    }
    if (graph.inputs().size() > 1) {
      return calibrate(graph, InputFeeds.read(calibrationData, CalibrationData.shapes(graph)), options, Set.of()).graph();
    }
    return calibrate(graph, DataSources.openSource(calibrationData), options).graph();
  }

  /**
   * Calibrates {@code graph} on the first {@code options.samples()} samples of {@code source}.
   *
   * @throws BadInputException for data that does not fit the input, NaN/Inf samples, ops without an int8
   *     form, or a graph that already has FakeQuant nodes
   */
  public static Result calibrate(FrozenGraph graph, SampleSource source, CalibrationOptions options) {
    return calibrate(graph, source, options, Set.of());
  }

  /**
   * As {@link #calibrate(FrozenGraph, SampleSource, CalibrationOptions)}, leaving the nodes {@code keepFloat}
   * float where their op has no int8 form ({@link QuantPlanner#plan(FrozenGraph, Set)}).
   */
  public static Result calibrate(FrozenGraph graph, SampleSource source, CalibrationOptions options,
      Set<String> keepFloat) {
    if (graph.hasFakeQuant()) {
      throw new BadInputException("the graph already has FakeQuant nodes (QAT ranges); it needs no calibration");
    }
    FrozenGraph.Input input = CalibrationData.check(graph, source);
    // Calibration reads only its first samples: read just those from a streamed set.
    Dataset data = source.head(options.samples());
    return calibrate(graph, InputFeeds.of(data, input.key()), data, options, keepFloat);
  }

  /**
   * Calibrates a graph with several inputs on {@code feeds} (one array per input), with TFLite's min/max ranges:
   * the post-training methods ({@code --ptq}) take models with one input.
   *
   * @throws BadInputException as {@link #calibrate(FrozenGraph, SampleSource, CalibrationOptions, Set)}, and for
   *     a hook other than {@link CalibrationHook#NONE}
   */
  public static Result calibrate(FrozenGraph graph, InputFeeds feeds, CalibrationOptions options,
      Set<String> keepFloat) {
    if (graph.hasFakeQuant()) {
      throw new BadInputException("the graph already has FakeQuant nodes (QAT ranges); it needs no calibration");
    }
    if (options.hook() != CalibrationHook.NONE) {
      throw new BadInputException("the post-training methods of 'compresso convert --ptq' take models with one "
          + "input; signature '" + graph.signature() + "' has inputs " + String.join(", ",
          CalibrationData.shapes(graph).keySet()) + " (without them, calibration is TFLite's min/max)");
    }
    CalibrationData.check(graph, feeds);
    return calibrate(graph, feeds.head(options.samples()), null, options, keepFloat);
  }

  /** The calibration itself; {@code data} (the one input's samples, for the hooks) is null for several inputs. */
  private static Result calibrate(FrozenGraph graph, InputFeeds feeds, Dataset data, CalibrationOptions options,
      Set<String> keepFloat) {
    List<Rewrite> folds = ConstantOperands.rewrites(new GraphIndex(graph.graphDef()));
    if (!folds.isEmpty()) {
      graph = withGraph(graph, GraphRewriter.apply(graph.graphDef(), folds));
    }
    QuantPlanner planner = QuantPlanner.defaults();
    QuantPlan plan = planner.plan(graph, keepFloat);
    List<ConcatEqualizer.Equalized> equalized = List.of();
    Map<String, RangeTracker> trackers = null;
    if (options.equalizeConcats()) {
      trackers = RangeCollector.collect(graph, plan.measuredNodes(), feeds, options.samples(), MinMaxTracker::new);
      ConcatEqualizer.Outcome eq = ConcatEqualizer.equalize(graph, plan, trackers);
      if (!eq.equalized().isEmpty()) {
        graph = withGraph(graph, GraphRewriter.apply(graph.graphDef(), eq.rewrites()));
        plan = planner.plan(graph, keepFloat);
        equalized = eq.equalized();
        trackers = null;
      }
    }
    FrozenGraph hooked = data == null ? graph : options.hook().beforeRanges(graph, plan, data, options.samples());
    if (hooked != graph) {
      graph = hooked;
      plan = planner.plan(graph);
      trackers = null;
    }
    if (trackers == null) {
      trackers = RangeCollector.collect(graph, plan.measuredNodes(), feeds, options.samples(), MinMaxTracker::new);
    }
    Map<String, float[]> ranges = options.hook().ranges(graph, plan, trackers, data, options.samples());
    return insert(graph, plan, ranges, equalized);
  }

  private static Result insert(FrozenGraph graph, QuantPlan plan, Map<String, float[]> ranges,
      List<ConcatEqualizer.Equalized> equalized) {
    Set<String> outputs = graph.outputs().stream().map(FrozenGraph.Output::node).collect(Collectors.toSet());
    List<Rewrite> rewrites = FakeQuantInsertion.rewrites(new GraphIndex(graph.graphDef()), plan, ranges, outputs);
    return new Result(withGraph(graph, GraphRewriter.apply(graph.graphDef(), rewrites)), ranges, equalized);
  }

  private static FrozenGraph withGraph(FrozenGraph graph, org.tensorflow.proto.GraphDef def) {
    return new FrozenGraph(def, graph.signature(), graph.inputs(), graph.outputs());
  }
}
