package dev.compresso.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Keras 3 SavedModel fixtures under {@code src/test/resources/fixtures/keras} (see the README there)
 * and the facts their {@code fixture.json} records.
 */
public final class KerasFixtures {

  private KerasFixtures() {}

  /** {@code fixtures/keras/<fixture>/<flavour>}, e.g. {@code ("cnn_classifier", "keras_export")}. */
  public static Path dir(String fixture, String flavour) {
    return root().resolve(fixture).resolve(flavour);
  }

  public static JsonObject json(String fixture) {
    try {
      return JsonParser.parseString(Files.readString(root().resolve(fixture).resolve("fixture.json"))).getAsJsonObject();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code fixture.json}'s {@code flavours.<flavour>.saved_model} block. */
  public static JsonObject savedModelFacts(String fixture, String flavour) {
    return json(fixture).getAsJsonObject("flavours").getAsJsonObject(flavour).getAsJsonObject("saved_model");
  }

  private static Path root() {
    URL url = KerasFixtures.class.getResource("/fixtures/keras/README.md");
    if (url == null) {
      throw new IllegalStateException("test resources fixtures/keras are missing");
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
