package dev.compresso.train;

import java.util.List;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A first-order optimizer that updates ref variables with TensorFlow's fused apply ops. Only the
 * variables it is given are updated: masks, ranges and counters are never passed in.
 */
public interface Optimizer {

  /** The update op for one step, given each variable's gradient (same order as {@code variables}). */
  Op build(Ops tf, List<TrainableVariable> variables, List<Output<TFloat32>> gradients);

  /** Initializes the optimizer's own state (slots) in {@code session}; call once after {@link #build}. */
  void initialize(Session session);

  /** Feeds the per-step inputs (learning rate, bias corrections) for 1-based step {@code step}. */
  void feed(Session.Runner runner, long step, AutoCloseableList open);
}
