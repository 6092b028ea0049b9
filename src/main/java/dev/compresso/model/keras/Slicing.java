package dev.compresso.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.index.Index;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.types.TFloat32;

/**
 * Indexing a tensor, {@code x[:, 1:5, ::2, 0]} or {@code x[..., None, :3]}: Keras 3's {@code GetItem} operation
 * (its key among the call's arguments: {@code {"class_name": "__slice__", "config": {"start", "stop", "step"}}},
 * {@code {"class_name": "__ellipsis__"}}, integers, {@code null} for a new axis) and Keras 2's {@code
 * SlicingOpLambda} ({@code tf.__operators__.getitem}, its {@code slice_spec} with slices as {@code {"start",
 * "stop", "step"}}), built as one {@code StridedSlice} with numpy's semantics (an integer drops its axis). The
 * batch axis must be kept whole.
 */
final class Slicing {

  private Slicing() {}

  /** {@code GetItem}: args {@code [tensor, key]}. */
  static final LayerHandler GET_ITEM = c -> {
    JsonArray args = c.args();
    if (args == null || args.size() != 2) {
      throw c.bad("needs its call's arguments [tensor, key] (a Keras 3 record of the call)");
    }
    JsonElement key = args.get(1);
    List<JsonElement> items = new ArrayList<>();
    if (key.isJsonArray()) {
      key.getAsJsonArray().forEach(items::add);
    } else {
      items.add(key);
    }
    Operand<TFloat32> x = c.input();
    return c.at("strided_slice").stridedSlice(x, indices(c, items, KerasGraph.shape(x).length));
  };

  /** Keras 2's slice entry ({@code {"start", "stop", "step"}}) in Keras 3's form; anything else unchanged. */
  static JsonElement keras3Item(JsonElement e) {
    if (e.isJsonObject() && !e.getAsJsonObject().has("class_name")) {
      JsonObject o = new JsonObject();
      o.addProperty("class_name", "__slice__");
      o.add("config", e);
      return o;
    }
    return e;
  }

  private static Index[] indices(LayerCall c, List<JsonElement> items, int rank) {
    List<Index> out = new ArrayList<>();
    boolean ellipsis = false;
    int consumed = 0;
    for (JsonElement e : items) {
      if (e.isJsonNull()) {
        out.add(Indices.newAxis());
      } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
        if (!ellipsis && consumed == 0) {
          throw c.bad("indexes the batch axis with " + e + " (the batch must stay whole: x[:, ...])");
        }
        out.add(Indices.at(e.getAsLong()));
        consumed++;
      } else if (e.isJsonObject() && "__ellipsis__".equals(name(e))) {
        out.add(Indices.ellipsis());
        ellipsis = true;
      } else if (e.isJsonObject() && "__slice__".equals(name(e))) {
        JsonObject cfg = e.getAsJsonObject().getAsJsonObject("config");
        Long start = number(cfg, "start");
        Long stop = number(cfg, "stop");
        Long step = number(cfg, "step");
        if (!ellipsis && consumed == 0 && (start != null || stop != null || (step != null && step != 1))) {
          throw c.bad("slices the batch axis with " + e + " (the batch must stay whole: x[:, ...])");
        }
        out.add(Indices.slice(start, stop, step == null ? 1 : step));
        consumed++;
      } else {
        throw c.bad("has an index " + e + " that is not an integer, a slice, ... or None");
      }
    }
    if (consumed > rank) {
      throw c.bad("indexes " + consumed + " axes of a rank-" + rank + " tensor");
    }
    return out.toArray(new Index[0]);
  }

  private static String name(JsonElement e) {
    JsonElement n = e.getAsJsonObject().get("class_name");
    return n == null || n.isJsonNull() ? null : n.getAsString();
  }

  private static Long number(JsonObject cfg, String key) {
    JsonElement v = cfg == null ? null : cfg.get(key);
    return v == null || v.isJsonNull() ? null : v.getAsLong();
  }
}
