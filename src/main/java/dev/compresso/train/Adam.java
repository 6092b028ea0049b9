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
import org.tensorflow.types.TFloat32;

/**
 * Adam (Kingma &amp; Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) through TensorFlow's
 * {@code ApplyAdam} on ref variables, with the bias-correction powers {@code beta^t} fed from Java each
 * step (no step variable in the graph).
 */
public final class Adam implements Optimizer {

  public static final float LEARNING_RATE_DEFAULT = 1e-3f;
  public static final float BETA_ONE_DEFAULT = 0.9f;
  public static final float BETA_TWO_DEFAULT = 0.999f;
  public static final float EPSILON_DEFAULT = 1e-7f;

  private final float learningRate;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private Placeholder<TFloat32> lrFeed;
  private Placeholder<TFloat32> beta1PowerFeed;
  private Placeholder<TFloat32> beta2PowerFeed;
  private Op slotInit;

  public Adam(float learningRate) {
    this(learningRate, BETA_ONE_DEFAULT, BETA_TWO_DEFAULT, EPSILON_DEFAULT);
  }

  public Adam(float learningRate, float beta1, float beta2, float epsilon) {
    if (!(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException(String.format(
          "Adam needs learning rate > 0, betas in [0, 1), epsilon > 0; got %s, %s, %s, %s",
          learningRate, beta1, beta2, epsilon));
    }
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  @Override
  public Op build(Ops tf, List<TrainableVariable> variables, List<Output<TFloat32>> gradients) {
    Ops adam = tf.withSubScope("adam");
    lrFeed = adam.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    beta1PowerFeed = adam.withName("beta1_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    beta2PowerFeed = adam.withName("beta2_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    List<Op> updates = new ArrayList<>();
    List<Op> inits = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      TrainableVariable v = variables.get(i);
      Ops slotScope = adam.withSubScope(v.name().replace('/', '_'));
      Variable<TFloat32> m = slotScope.withName("m").variable(Shape.of(v.shape()), TFloat32.class);
      Variable<TFloat32> s = slotScope.withName("v").variable(Shape.of(v.shape()), TFloat32.class);
      inits.add(slotScope.assign(m, slotScope.zeros(slotScope.constant(v.shape()), TFloat32.class)));
      inits.add(slotScope.assign(s, slotScope.zeros(slotScope.constant(v.shape()), TFloat32.class)));
      updates.add(slotScope.train.applyAdam(v.ref(), m, s, beta1PowerFeed, beta2PowerFeed, lrFeed,
          slotScope.constant(beta1), slotScope.constant(beta2), slotScope.constant(epsilon), gradients.get(i)));
    }
    slotInit = adam.withName("init_slots").withControlDependencies(inits).noOp();
    return adam.withName("step").withControlDependencies(updates).noOp();
  }

  @Override
  public void initialize(Session session) {
    session.runner().addTarget(slotInit).run().close();
  }

  @Override
  public void feed(Session.Runner runner, long step, AutoCloseableList open) {
    runner.feed(lrFeed, open.add(TFloat32.scalarOf(learningRate)));
    runner.feed(beta1PowerFeed, open.add(TFloat32.scalarOf((float) Math.pow(beta1, step))));
    runner.feed(beta2PowerFeed, open.add(TFloat32.scalarOf((float) Math.pow(beta2, step))));
  }
}
