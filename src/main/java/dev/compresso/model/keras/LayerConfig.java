package dev.compresso.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.compresso.BadInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * One layer's {@code config} object, read with the spellings both Keras 2 and Keras 3 use (an int or a list for
 * sizes, a string or a serialized function for activations).
 *
 * @param className the Keras layer class ({@code Conv2D})
 * @param name the layer's name
 * @param json the config object
 */
public record LayerConfig(String className, String name, JsonObject json) {

  boolean has(String key) {
    return json.has(key) && !json.get(key).isJsonNull();
  }

  String string(String key, String dflt) {
    return has(key) ? json.get(key).getAsString() : dflt;
  }

  boolean bool(String key, boolean dflt) {
    return has(key) ? json.get(key).getAsBoolean() : dflt;
  }

  double number(String key, double dflt) {
    if (!has(key)) {
      return dflt;
    }
    JsonElement e = json.get(key);
    if (e.isJsonArray() && e.getAsJsonArray().size() == 1) {
      e = e.getAsJsonArray().get(0);
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw bad(key, "a number");
    }
    return e.getAsDouble();
  }

  int integer(String key, int dflt) {
    return has(key) ? (int) number(key, dflt) : dflt;
  }

  /** {@code key} as {@code n} ints: an int repeated, or a list of {@code n}. */
  int[] ints(String key, int n, int dflt) {
    int[] out = new int[n];
    if (!has(key)) {
      java.util.Arrays.fill(out, dflt);
      return out;
    }
    JsonElement e = json.get(key);
    if (e.isJsonPrimitive()) {
      java.util.Arrays.fill(out, e.getAsInt());
      return out;
    }
    JsonArray a = e.getAsJsonArray();
    if (a.size() != n) {
      throw bad(key, n + " values");
    }
    for (int i = 0; i < n; i++) {
      out[i] = a.get(i).getAsInt();
    }
    return out;
  }

  /** A list of ints of any length (a single int is a list of one). */
  List<Integer> intList(String key) {
    List<Integer> out = new ArrayList<>();
    if (!has(key)) {
      return out;
    }
    JsonElement e = json.get(key);
    if (e.isJsonPrimitive()) {
      out.add(e.getAsInt());
      return out;
    }
    for (JsonElement x : e.getAsJsonArray()) {
      out.add(x.isJsonNull() ? -1 : x.getAsInt());
    }
    return out;
  }

  /**
   * Symmetric or per-side pairs, as ZeroPadding/Cropping take them: {@code 1}, {@code [1, 2]} (one per dimension,
   * both sides) or {@code [[1, 0], [2, 1]]}; for one dimension {@code 1} or {@code [1, 2]} (left, right).
   */
  int[][] pairs(String key, int dims, int dflt) {
    int[][] out = new int[dims][2];
    if (!has(key)) {
      for (int[] p : out) {
        p[0] = dflt;
        p[1] = dflt;
      }
      return out;
    }
    JsonElement e = json.get(key);
    if (e.isJsonPrimitive()) {
      for (int[] p : out) {
        p[0] = e.getAsInt();
        p[1] = e.getAsInt();
      }
      return out;
    }
    JsonArray a = e.getAsJsonArray();
    if (dims == 1 && a.size() == 2 && a.get(0).isJsonPrimitive()) {
      out[0][0] = a.get(0).getAsInt();
      out[0][1] = a.get(1).getAsInt();
      return out;
    }
    if (a.size() != dims) {
      throw bad(key, dims + " entries");
    }
    for (int i = 0; i < dims; i++) {
      JsonElement x = a.get(i);
      if (x.isJsonPrimitive()) {
        out[i][0] = x.getAsInt();
        out[i][1] = x.getAsInt();
      } else {
        out[i][0] = x.getAsJsonArray().get(0).getAsInt();
        out[i][1] = x.getAsJsonArray().get(1).getAsInt();
      }
    }
    return out;
  }

  /**
   * The {@code activation} entry's name: a string ({@code "relu"}) or a serialized function ({@code {"class_name":
   * "function", "config": "relu"}} in Keras 3, {@code {"class_name": "relu"}}).
   */
  String activation() {
    if (!has("activation")) {
      return "linear";
    }
    JsonElement e = json.get("activation");
    if (e.isJsonPrimitive()) {
      return e.getAsString();
    }
    if (e.isJsonObject()) {
      JsonObject o = e.getAsJsonObject();
      JsonElement c = o.get("config");
      if (c != null && c.isJsonPrimitive()) {
        return c.getAsString();
      }
      if (o.has("class_name")) {
        return o.get("class_name").getAsString();
      }
    }
    return e.toString();
  }

  /** Keras' {@code data_format}; only {@code channels_last} (the default) is built. */
  boolean channelsFirst() {
    return "channels_first".equals(string("data_format", "channels_last"));
  }

  BadInputException bad(String key, String expected) {
    return new BadInputException(String.format("layer %s (%s): config '%s' = %s; expected %s", name, className, key,
        json.get(key), expected));
  }

  static JsonPrimitive str(String s) {
    return new JsonPrimitive(s);
  }
}
