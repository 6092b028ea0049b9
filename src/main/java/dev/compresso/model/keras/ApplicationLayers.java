package dev.compresso.model.keras;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The layers {@code keras.applications} defines for its own models (module {@code keras.src.applications.*}),
 * which their saved files name like any built-in layer.
 */
final class ApplicationLayers {

  private ApplicationLayers() {}

  /** ConvNeXt's {@code LayerScale}: {@code x * gamma}, one trainable scale per channel ({@code projection_dim}). */
  static final LayerHandler LAYER_SCALE = new LayerHandler() {
    @Override
    public List<WeightSpec> weights(LayerConfig c, List<long[]> in) {
      long[] s = in.get(0);
      return List.of(WeightSpec.trainable("gamma", c.integer("projection_dim", (int) s[s.length - 1])));
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      return c.at("mul").math.mul(c.input(), c.weight("gamma"));
    }
  };

  /** InceptionResNetV2's {@code CustomScaleLayer}: {@code inputs[0] + inputs[1] * scale}. */
  static final LayerHandler CUSTOM_SCALE_LAYER = c -> {
    if (c.inputs().size() != 2) {
      throw c.bad("takes exactly 2 inputs, got " + c.inputs().size());
    }
    Operand<TFloat32> scaled = c.at("mul").math.mul(c.inputs().get(1),
        c.scalar("scale", (float) c.config().number("scale", 1.0)));
    return c.at("add").math.add(c.inputs().get(0), scaled);
  };
}
