package dev.compresso.model;

import dev.compresso.data.NpyArray;
import dev.compresso.data.NpzReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

/**
 * The input-form fixtures under {@code src/test/resources/fixtures/inputs} (made by {@code make_fixtures.py}
 * there): {@code <name>/model} is the SavedModel, {@code <name>/reference.npz} holds one array per signature
 * input, named by its key, and {@code y}, TensorFlow's output on them.
 */
public final class InputFormFixtures {

  private InputFormFixtures() {}

  /** {@code <name>/model}. */
  public static Path model(String name) {
    return root().resolve(name).resolve("model");
  }

  /** {@code <name>/reference.npz}. */
  public static Path reference(String name) {
    return root().resolve(name).resolve("reference.npz");
  }

  /** Every array of {@code <name>/reference.npz}, by name, values as floats. */
  public static Map<String, NpyArray> arrays(String name) {
    return NpzReader.arrays(reference(name));
  }

  private static Path root() {
    URL url = InputFormFixtures.class.getResource("/fixtures/inputs/make_fixtures.py");
    if (url == null) {
      throw new IllegalStateException("test resources fixtures/inputs are missing");
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
