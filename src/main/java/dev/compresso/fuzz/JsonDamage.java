package dev.compresso.fuzz;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Damages a JSON document by meaning rather than bytes, the way a hand-edited or half-merged Keras config goes
 * wrong: one value replaced (numbers by boundary values, strings by other strings of the same document, so a
 * {@code Conv2D} may become a {@code Dense} and a layer may name the wrong input), a key removed, an array
 * emptied or grown, a value's type changed. The result still parses, so it reaches the importer's checks of
 * config against weights rather than the JSON parser.
 */
final class JsonDamage {

  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();
  private static final double[] NUMBERS = {0, -1, 1, 2, 3, 7, 64, 1 << 16, Integer.MAX_VALUE, 1L << 40, 1e18, 0.5,
      -1e9};

  private record Slot(JsonElement parent, String key, int index, JsonElement value) {}

  private JsonDamage() {}

  /** A damaged copy of {@code json}; bytes that are not JSON come back with a byte mutation instead. */
  static byte[] mutate(byte[] json, Random r) {
    JsonElement root;
    try {
      root = JsonParser.parseString(new String(json, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return Mutator.mutate(json, Mutator.Kind.BYTES, r);
    }
    List<Slot> slots = new ArrayList<>();
    List<String> strings = new ArrayList<>();
    collect(root, null, null, -1, slots, strings);
    if (slots.isEmpty()) {
      return Mutator.mutate(json, Mutator.Kind.BYTES, r);
    }
    int edits = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
    for (int i = 0; i < edits; i++) {
      Slot s = slots.get(r.nextInt(slots.size()));
      JsonElement v = s.value();
      JsonElement replacement;
      switch (r.nextInt(6)) {
        case 0 -> replacement = null; // remove
        case 1 -> replacement = v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()
            ? new JsonPrimitive(NUMBERS[r.nextInt(NUMBERS.length)] * (v.getAsDouble() % 1 == 0 ? 1 : 1.5))
            : new JsonPrimitive(NUMBERS[r.nextInt(NUMBERS.length)]);
        case 2 -> replacement = strings.isEmpty() ? JsonNull.INSTANCE
            : new JsonPrimitive(strings.get(r.nextInt(strings.size())));
        case 3 -> {
          JsonArray a = new JsonArray();
          if (v.isJsonArray() && r.nextBoolean()) {
            for (JsonElement e : v.getAsJsonArray()) {
              a.add(e);
              a.add(e);
            }
          }
          replacement = a;
        }
        case 4 -> replacement = r.nextBoolean() ? JsonNull.INSTANCE : new JsonObject();
        default -> replacement = v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean()
            ? new JsonPrimitive(!v.getAsBoolean()) : new JsonPrimitive(NUMBERS[r.nextInt(NUMBERS.length)]);
      }
      set(s, replacement);
    }
    return GSON.toJson(root).getBytes(StandardCharsets.UTF_8);
  }

  private static void collect(JsonElement e, JsonElement parent, String key, int index, List<Slot> slots,
      List<String> strings) {
    if (parent != null) {
      slots.add(new Slot(parent, key, index, e));
    }
    if (e.isJsonObject()) {
      for (var m : e.getAsJsonObject().entrySet()) {
        collect(m.getValue(), e, m.getKey(), -1, slots, strings);
      }
    } else if (e.isJsonArray()) {
      JsonArray a = e.getAsJsonArray();
      for (int i = 0; i < a.size(); i++) {
        collect(a.get(i), e, null, i, slots, strings);
      }
    } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      strings.add(e.getAsString());
    }
  }

  private static void set(Slot s, JsonElement value) {
    if (s.parent().isJsonObject()) {
      JsonObject o = s.parent().getAsJsonObject();
      if (value == null) {
        o.remove(s.key());
      } else if (o.has(s.key())) {
        o.add(s.key(), value);
      }
    } else {
      JsonArray a = s.parent().getAsJsonArray();
      if (s.index() < a.size()) {
        if (value == null) {
          a.remove(s.index());
        } else {
          a.set(s.index(), value);
        }
      }
    }
  }
}
