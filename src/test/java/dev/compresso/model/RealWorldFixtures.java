package dev.compresso.model;

import dev.compresso.data.NpyArray;
import dev.compresso.data.NpzReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

/**
 * The "real-world SavedModel" fixtures under {@code src/test/resources/fixtures/savedmodels_realworld}
 * (made by {@code make_fixtures.py} there): {@code <name>/model} is the SavedModel, {@code
 * <name>/reference.npz} holds {@code x} and TensorFlow's outputs {@code y__<signature>__<output>}.
 */
public final class RealWorldFixtures {

  private RealWorldFixtures() {}

  /** {@code <name>/model}. */
  public static Path model(String name) {
    return root().resolve(name).resolve("model");
  }

  /** Every array of {@code <name>/reference.npz}, by name, values as floats. */
  public static Map<String, NpyArray> reference(String name) {
    return NpzReader.arrays(root().resolve(name).resolve("reference.npz"));
  }

  private static Path root() {
    URL url = RealWorldFixtures.class.getResource("/fixtures/savedmodels_realworld/make_fixtures.py");
    if (url == null) {
      throw new IllegalStateException("test resources fixtures/savedmodels_realworld are missing");
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
