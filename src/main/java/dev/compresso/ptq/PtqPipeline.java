package dev.compresso.ptq;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.model.FrozenGraph;
import dev.compresso.quant.CalibrationHook;
import dev.compresso.quant.QuantPlan;
import dev.compresso.quant.RangeTracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs {@link PtqOptions#methods()} inside calibration ({@link CalibrationHook}): each method's constant
 * changes in order, then the activation ranges from the method that chooses them ({@code range}), else
 * min/max. One pipeline serves one calibration; {@link #steps()} says what each method did and how long it
 * took.
 *
 * <p>Checked before any work: every method has at least {@link PtqMethod#minSamples()} calibration samples
 * (else a {@link BadInputException} naming the method and the count it needs; of the default methods, not
 * asked for, those short of samples are skipped with a note and the others run). A method that applies to
 * no layer of the model is noted and skipped, never silently.
 */
public final class PtqPipeline implements CalibrationHook {

  /** What one method did. */
  public record Step(String method, int layers, String detail, double seconds) {}

  private final PtqOptions options;
  private final Consumer<String> notes;
  private final List<Step> steps = new ArrayList<>();
  private PtqContext context;
  private List<PtqMethod> methods;

  public PtqPipeline(PtqOptions options, Consumer<String> notes) {
    this.options = options;
    this.notes = notes;
  }

  /** The steps run so far. */
  public List<Step> steps() {
    return List.copyOf(steps);
  }

  /**
   * The methods to run on {@code samples} of {@code data}: all of them, or, for the default methods (not asked
   * for), those with enough samples, the others noted as skipped.
   *
   * @throws BadInputException when asked-for methods have too few samples
   */
  private List<PtqMethod> runnable(Dataset data, int samples, boolean note) {
    int have = Math.min(samples, data.size());
    List<String> missing = new ArrayList<>();
    List<PtqMethod> run = new ArrayList<>();
    for (PtqMethod m : options.methods()) {
      if (have < m.minSamples()) {
        missing.add("'" + m.name() + "' needs at least " + m.minSamples());
      } else {
        run.add(m);
      }
    }
    if (!missing.isEmpty() && !options.byDefault()) {
      throw new BadInputException(data.source() + ": " + have + " calibration sample(s) are too few for --ptq: "
          + String.join(", ", missing) + " (give more samples, or leave the method out)");
    }
    if (!missing.isEmpty() && note) {
      notes.accept("ptq: of the default methods " + options + ", " + String.join(", ", missing) + " of the " + have
          + " calibration sample(s): skipped" + (run.isEmpty() ? "; min/max ranges" : "") + " (give more samples, or "
          + "--ptq none to say so)");
    }
    return run;
  }

  @Override
  public FrozenGraph beforeRanges(FrozenGraph graph, QuantPlan plan, Dataset data, int samples) {
    methods = runnable(data, samples, true);
    context = new PtqContext(graph, plan, data, samples, options, notes);
    for (PtqMethod m : methods) {
      long t0 = System.nanoTime();
      PtqMethod.Outcome o = m.apply(context);
      double s = (System.nanoTime() - t0) / 1e9;
      steps.add(new Step(m.name(), o.layers(), o.detail(), s));
      notes.accept(o.layers() == 0
          ? "ptq " + m.name() + ": applies to no layer of this model (" + o.detail() + "); skipped"
          : String.format("ptq %s: %s (%.1f s)", m.name(), o.detail(), s));
    }
    return context.graph();
  }

  @Override
  public Map<String, float[]> ranges(FrozenGraph graph, QuantPlan plan, Map<String, RangeTracker> minMax,
      Dataset data, int samples) {
    if (context == null) {
      methods = runnable(data, samples, false);
      context = new PtqContext(graph, plan, data, samples, options, notes);
    }
    for (PtqMethod m : methods) {
      long t0 = System.nanoTime();
      Map<String, float[]> r = m.ranges(context, minMax);
      if (r != null) {
        double s = (System.nanoTime() - t0) / 1e9;
        steps.add(new Step(m.name() + "/activations", r.size(), "activation ranges searched", s));
        return r;
      }
    }
    return CalibrationHook.super.ranges(graph, plan, minMax, data, samples);
  }
}
