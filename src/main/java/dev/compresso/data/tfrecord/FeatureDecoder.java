package dev.compresso.data.tfrecord;

import com.google.protobuf.ByteString;
import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.data.DecodedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;

/**
 * Turns one feature of a {@code tf.train.Example} ({@code tensorflow/core/example/feature.proto}) into
 * float32 sample values: a {@code float_list} as is, an {@code int64_list} converted to float, or a
 * {@code bytes_list} holding one encoded PNG/JPEG image, decoded to [0, 1] values of shape
 * {@code [height, width, channels]} (a target image becomes a 0/1 mask {@code [height, width, 1]}, the
 * rule of image folders' {@code masks/}).
 *
 * <p>The first record fixes each feature's {@link Layout}; every later record must have the same kind and
 * number of values, or the record is named in the error.
 */
public final class FeatureDecoder {

  /** How a feature is stored. */
  public enum Kind { FLOAT_LIST, INT64_LIST, IMAGE }

  /**
   * One feature's layout.
   *
   * @param name the feature's key
   * @param kind its storage
   * @param shape the sample shape its values take
   * @param shapeGiven whether the shape came from the spec, a shape feature, or the image (false: a flat
   *     vector because nothing said otherwise)
   * @param mask whether an image is read as a 0/1 mask
   */
  public record Layout(String name, Kind kind, long[] shape, boolean shapeGiven, boolean mask) {
    int elements() {
      return Math.toIntExact(Dataset.elements(shape));
    }
  }

  private FeatureDecoder() {}

  /**
   * The feature to read: {@code requested} if given, else the first of {@code defaults} present.
   *
   * @param role "x" or "y", for messages
   * @throws BadInputException naming the record and listing the features it has
   */
  public static String pick(Example example, String requested, List<String> defaults, String role, String where) {
    Map<String, Feature> features = example.getFeatures().getFeatureMap();
    if (requested != null) {
      if (!features.containsKey(requested)) {
        throw new BadInputException(String.format("%s: no feature '%s' (from %s=%s); features present: %s", where,
            requested, role, requested, present(example)));
      }
      return requested;
    }
    for (String d : defaults) {
      if (features.containsKey(d)) {
        return d;
      }
    }
    throw new BadInputException(String.format("%s: none of the default %s features %s; features present: %s; name one "
        + "with ?%s=NAME", where, role, defaults, present(example), role));
  }

  private static String present(Example example) {
    TreeSet<String> names = new TreeSet<>(example.getFeatures().getFeatureMap().keySet());
    return names.isEmpty() ? "(none)" : String.join(", ", names);
  }

  /**
   * The layout of feature {@code name} as the first record holds it.
   *
   * @param declared the spec's shape for it, or null
   * @param mask read an image as a 0/1 mask
   */
  public static Layout layout(Example example, String name, long[] declared, boolean mask, String where) {
    Feature f = example.getFeatures().getFeatureMap().get(name);
    Kind kind = kind(f, name, where);
    long[] shape;
    boolean given = true;
    int count;
    if (kind == Kind.IMAGE) {
      DecodedImage image = image(f, name, where);
      shape = new long[] {image.height(), image.width(), mask ? 1 : image.channels()};
      count = Math.toIntExact(Dataset.elements(shape));
    } else {
      count = kind == Kind.FLOAT_LIST ? f.getFloatList().getValueCount() : f.getInt64List().getValueCount();
      long[] stored = storedShape(example, name, where);
      shape = stored != null ? stored : new long[] {count};
      given = stored != null;
    }
    if (declared != null) {
      shape = declared.clone();
      given = true;
    }
    if (Dataset.elements(shape) != count) {
      throw new BadInputException(String.format("%s: feature '%s' holds %d values, shape %s needs %d", where, name,
          count, Arrays.toString(shape), Dataset.elements(shape)));
    }
    return new Layout(name, kind, shape, given, mask);
  }

  /** A shape stored next to the feature as {@code NAME_shape} or {@code NAME/shape} (int64_list), or null. */
  private static long[] storedShape(Example example, String name, String where) {
    Map<String, Feature> features = example.getFeatures().getFeatureMap();
    for (String key : List.of(name + "_shape", name + "/shape")) {
      Feature f = features.get(key);
      if (f != null) {
        if (f.getKindCase() != Feature.KindCase.INT64_LIST || f.getInt64List().getValueCount() == 0) {
          throw new BadInputException(where + ": shape feature '" + key + "' must be a non-empty int64_list");
        }
        long[] shape = new long[f.getInt64List().getValueCount()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = f.getInt64List().getValue(i);
          if (shape[i] < 1) {
            throw new BadInputException(where + ": shape feature '" + key + "' has dimension " + shape[i]);
          }
        }
        return shape;
      }
    }
    return null;
  }

  /** Decodes feature {@code layout.name()} of {@code example} into {@code into} (of {@code layout}'s size). */
  public static void decode(Example example, Layout layout, float[] into, String where) {
    Feature f = example.getFeatures().getFeatureMap().get(layout.name());
    if (f == null) {
      throw new BadInputException(String.format("%s: no feature '%s' (the first record has it); features present: %s",
          where, layout.name(), present(example)));
    }
    Kind kind = kind(f, layout.name(), where);
    if (kind != layout.kind()) {
      throw new BadInputException(String.format("%s: feature '%s' is %s, the first record's is %s", where,
          layout.name(), kind, layout.kind()));
    }
    int n = layout.elements();
    switch (kind) {
      case FLOAT_LIST -> {
        var list = f.getFloatList();
        checkCount(list.getValueCount(), layout, where);
        for (int i = 0; i < n; i++) {
          float v = list.getValue(i);
          if (!Float.isFinite(v)) {
            throw new BadInputException(String.format("%s: feature '%s' holds %s at index %d; values must be finite",
                where, layout.name(), v, i));
          }
          into[i] = v;
        }
      }
      case INT64_LIST -> {
        var list = f.getInt64List();
        checkCount(list.getValueCount(), layout, where);
        for (int i = 0; i < n; i++) {
          into[i] = list.getValue(i);
        }
      }
      case IMAGE -> {
        DecodedImage image = image(f, layout.name(), where);
        float[] values = layout.mask() ? image.binaryMask() : image.values();
        if (values.length != n) {
          throw new BadInputException(String.format("%s: feature '%s' is a %s image (%d values), the first record's "
              + "gives %s", where, layout.name(), image.describe(), values.length, Arrays.toString(layout.shape())));
        }
        System.arraycopy(values, 0, into, 0, n);
      }
      default -> throw new IllegalStateException(kind.toString());
    }
  }

  private static void checkCount(int count, Layout layout, String where) {
    if (count != layout.elements()) {
      throw new BadInputException(String.format("%s: feature '%s' holds %d values, the first record's %d (shape %s)",
          where, layout.name(), count, layout.elements(), Arrays.toString(layout.shape())));
    }
  }

  private static Kind kind(Feature f, String name, String where) {
    return switch (f.getKindCase()) {
      case FLOAT_LIST -> Kind.FLOAT_LIST;
      case INT64_LIST -> Kind.INT64_LIST;
      case BYTES_LIST -> Kind.IMAGE;
      default -> throw new BadInputException(where + ": feature '" + name + "' is empty (no float_list, int64_list or "
          + "bytes_list)");
    };
  }

  private static DecodedImage image(Feature f, String name, String where) {
    List<ByteString> values = f.getBytesList().getValueList();
    if (values.size() != 1) {
      throw new BadInputException(String.format("%s: feature '%s' is a bytes_list of %d values; expected one encoded "
          + "PNG or JPEG image", where, name, values.size()));
    }
    return DecodedImage.decode(values.get(0).toByteArray(), where + " feature '" + name + "'");
  }
}
