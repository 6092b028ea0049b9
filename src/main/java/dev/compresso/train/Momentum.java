package dev.compresso.train;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.ApplyMomentum;
import org.tensorflow.types.TFloat32;

/**
 * Stochastic gradient descent with momentum through TensorFlow's {@code ApplyMomentum} on ref variables:
 * {@code accum = momentum * accum + grad; var -= lr * accum} (the op's definition; with {@code
 * nesterov}, {@code var -= lr * (grad + momentum * accum)}), as Keras' {@code SGD(momentum=...)}.
 */
public final class Momentum implements Optimizer {

  public static final float LEARNING_RATE_DEFAULT = 1e-2f;
  public static final float MOMENTUM_DEFAULT = 0.9f;

  private final float learningRate;
  private final float momentum;
  private final boolean nesterov;
  private Placeholder<TFloat32> lrFeed;
  private Op slotInit;

  public Momentum(float learningRate, float momentum, boolean nesterov) {
    if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException(String.format(
          "SGD with momentum needs learning rate > 0 and momentum in [0, 1); got %s, %s", learningRate, momentum));
    }
    this.learningRate = learningRate;
    this.momentum = momentum;
    this.nesterov = nesterov;
  }

  @Override
  public Op build(Ops tf, List<TrainableVariable> variables, List<Output<TFloat32>> gradients) {
    Ops sgd = tf.withSubScope("sgd");
    lrFeed = sgd.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    List<Op> updates = new ArrayList<>();
    List<Op> inits = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      TrainableVariable v = variables.get(i);
      Ops slotScope = sgd.withSubScope(v.name().replace('/', '_'));
      Variable<TFloat32> accum = slotScope.withName("accum").variable(Shape.of(v.shape()), TFloat32.class);
      inits.add(slotScope.assign(accum, slotScope.zeros(slotScope.constant(v.shape()), TFloat32.class)));
      updates.add(slotScope.train.applyMomentum(v.ref(), accum, lrFeed, gradients.get(i),
          slotScope.constant(momentum), ApplyMomentum.useNesterov(nesterov)));
    }
    slotInit = sgd.withName("init_slots").withControlDependencies(inits).noOp();
    return sgd.withName("step").withControlDependencies(updates).noOp();
  }

  @Override
  public void initialize(Session session) {
    session.runner().addTarget(slotInit).run().close();
  }

  @Override
  public void feed(Session.Runner runner, long step, AutoCloseableList open) {
    runner.feed(lrFeed, open.add(TFloat32.scalarOf(learningRate)));
  }
}
