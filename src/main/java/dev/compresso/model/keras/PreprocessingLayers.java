package dev.compresso.model.keras;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3's image preprocessing layers as they run at inference: the random augmentations ({@code RandomFlip},
 * {@code RandomRotation}, {@code RandomZoom}, ...) return their input when not training, so a model that
 * carries its augmentation (as Keras' image classification tutorial writes it) imports as the identity there;
 * {@code Resizing} is TensorFlow's {@code tf.image.resize} without antialiasing (half-pixel centers), {@code
 * CenterCrop} the centered slice of an input at least as large as its target.
 */
final class PreprocessingLayers {

  private PreprocessingLayers() {}

  /** The augmentation layers that are the identity at inference. */
  static final List<String> AUGMENTATIONS = List.of("RandomFlip", "RandomRotation", "RandomZoom",
      "RandomTranslation", "RandomContrast", "RandomBrightness");

  static final LayerHandler RESIZING = new LayerHandler() {
    @Override
    public List<String> problems(LayerConfig c) {
      List<String> p = new ArrayList<>();
      String mode = c.string("interpolation", "bilinear");
      if (!mode.equals("bilinear") && !mode.equals("nearest")) {
        p.add(c.name() + " (Resizing): interpolation '" + mode + "' (bilinear and nearest are supported)");
      }
      for (String key : new String[] {"crop_to_aspect_ratio", "pad_to_aspect_ratio", "antialias"}) {
        if (c.bool(key, false)) {
          p.add(c.name() + " (Resizing): " + key + " true (only false is supported)");
        }
      }
      if (c.channelsFirst()) {
        p.add(c.name() + " (Resizing): data_format channels_first (only channels_last is supported)");
      }
      return p;
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      Operand<org.tensorflow.types.TInt32> size = c.ints("size", c.config().integer("height", -1),
          c.config().integer("width", -1));
      if (c.config().string("interpolation", "bilinear").equals("nearest")) {
        return c.at("resize").image.resizeNearestNeighbor(c.input(), size, ResizeNearestNeighbor.halfPixelCenters(true));
      }
      return c.at("resize").image.resizeBilinear(c.input(), size, ResizeBilinear.halfPixelCenters(true));
    }
  };

  static final LayerHandler CENTER_CROP = new LayerHandler() {
    @Override
    public List<String> problems(LayerConfig c) {
      return c.channelsFirst() ? List.of(c.name() + " (CenterCrop): data_format channels_first (only channels_last "
          + "is supported)") : List.of();
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      long[] s = c.inputShape();
      int h = c.config().integer("height", -1);
      int w = c.config().integer("width", -1);
      long inH = c.dim(s, 1);
      long inW = c.dim(s, 2);
      if (h <= 0 || w <= 0 || inH < h || inW < w) {
        throw c.bad("crops " + h + "x" + w + " from an input of shape " + Arrays.toString(s) + " (an input smaller "
            + "than the crop, which Keras resizes, is not supported)");
      }
      return c.at("Slice").slice(c.input(), c.ints("begin", 0, (int) (inH - h) / 2, (int) (inW - w) / 2, 0),
          c.ints("size", -1, h, w, -1));
    }
  };
}
