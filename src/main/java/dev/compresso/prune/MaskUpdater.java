package dev.compresso.prune;

import dev.compresso.model.ModelSession;
import dev.compresso.train.StepHook;
import dev.compresso.train.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;

/**
 * The training-loop hook that follows a {@link PruningSchedule}: on each pruning step it reads the
 * weights, computes new masks at the scheduled sparsity, assigns them, and assigns {@code weight * mask}
 * to the weights so pruned values are zero in the variable too (tfmot's {@code weight_mask_op}).
 */
final class MaskUpdater implements StepHook {

  private final ModelSession session;
  private final List<PrunableWeight> weights;
  private final MaskCalculator calculator;
  private final PruningSchedule schedule;
  private double current = 0;
  private final List<long[]> updateSteps = new ArrayList<>();
  private final List<Double> updateSparsities = new ArrayList<>();

  private final Map<String, String> biases;

  MaskUpdater(ModelSession session, List<PrunableWeight> weights, MaskCalculator calculator, PruningSchedule schedule) {
    this(session, weights, calculator, schedule, Map.of());
  }

  /**
   * @param biases bias variable by weight variable: each bias is masked where its weight's whole output
   *     channel is (channel granularity; see {@link ChannelBiases})
   */
  MaskUpdater(ModelSession session, List<PrunableWeight> weights, MaskCalculator calculator, PruningSchedule schedule,
      Map<String, String> biases) {
    this.biases = biases;
    this.session = session;
    this.weights = weights;
    this.calculator = calculator;
    this.schedule = schedule;
  }

  @Override
  public void beforeStep(long step) {
    if (schedule.shouldPrune(step)) {
      apply(schedule.sparsity(step));
      updateSteps.add(new long[] {step});
      updateSparsities.add(current);
    }
  }

  /**
   * Takes up a run restored at step {@code step}: the masks in force came with the checkpoint, so only
   * the bookkeeping of the updates before {@code step} is replayed from the schedule.
   */
  void resumeAt(long step) {
    for (long s = 0; s < step; s++) {
      if (schedule.shouldPrune(s)) {
        updateSteps.add(new long[] {s});
        updateSparsities.add(schedule.sparsity(s));
        current = schedule.sparsity(s);
      }
    }
  }

  @Override
  public String progressNote() {
    return String.format("sparsity %.3f", current);
  }

  /** The target sparsity of the masks in force. */
  double current() {
    return current;
  }

  /** The target of the masks in force before step {@code step} ran (0 before the first update). */
  double sparsityBefore(long step) {
    double s = 0;
    for (int i = 0; i < updateSteps.size() && updateSteps.get(i)[0] < step; i++) {
      s = updateSparsities.get(i);
    }
    return s;
  }

  /** Recomputes and assigns masks at {@code sparsity}. */
  void apply(double sparsity) {
    Map<String, float[]> values = read();
    Map<String, float[]> masks = calculator.masks(values, sparsity);
    Map<String, float[]> assign = new LinkedHashMap<>();
    for (PrunableWeight w : weights) {
      float[] m = masks.get(w.variable());
      float[] v = values.get(w.variable());
      for (int i = 0; i < v.length; i++) {
        v[i] *= m[i];
      }
      assign.put(w.variable(), v);
      assign.put(MaskRewrite.maskOf(w.variable()), m);
      String bias = biases.get(w.variable());
      if (bias != null) {
        float[] bm = ChannelBiases.biasMask(w, m);
        float[] b = values.get(bias);
        for (int i = 0; i < b.length; i++) {
          b[i] *= bm[i];
        }
        assign.put(bias, b);
        assign.put(MaskRewrite.maskOf(bias), bm);
      }
    }
    session.variables().assign(session.session(), assign);
    current = sparsity;
  }

  private Map<String, float[]> read() {
    Session.Runner runner = session.session().runner();
    List<String> names = new ArrayList<>();
    for (PrunableWeight w : weights) {
      names.add(w.variable());
    }
    names.addAll(biases.values());
    for (String n : names) {
      runner.fetch(session.variables().get(n).read());
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        out.put(names.get(i), Tensors.read(r.get(i)));
      }
    }
    return out;
  }
}
