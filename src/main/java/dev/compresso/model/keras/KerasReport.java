package dev.compresso.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.compresso.model.ImportedModel;
import java.util.Arrays;

/**
 * What {@code compresso inspect FILE.keras|.h5} prints: the file's format and Keras version, the model's input
 * and output, every layer as built (class, parameters, output shape), the parameter counts (trainable and
 * frozen), and whether optimizer state was found (it is ignored: fine-tuning starts a fresh optimizer).
 */
public final class KerasReport {

  private KerasReport() {}

  public static String text(KerasImporter.Result r) {
    ImportedModel m = r.model();
    StringBuilder b = new StringBuilder();
    b.append(m.source()).append(": Keras model file, ").append(r.format()).append(", Keras ").append(r.kerasVersion())
        .append('\n');
    b.append("  model: ").append(r.modelClass()).append(", input ").append(m.inputKey()).append(' ')
        .append(shape(inputShape(r))).append(" -> output ").append(m.outputKey()).append('\n');
    b.append(String.format("  parameters: %,d (%,d trainable, %,d frozen batch-norm statistics)%n", m.parameterCount(),
        trainable(m), m.parameterCount() - trainable(m)));
    b.append("  optimizer state: ").append(optimizer(r)).append('\n');
    b.append(String.format("  layers (%d):%n", r.layers().size()));
    for (KerasImporter.LayerSummary l : r.layers()) {
      b.append(String.format("    %-32s %-24s %,10d  %s%n", l.path(), l.className(), l.parameters(),
          shape(l.outputShape())));
    }
    return b.toString();
  }

  public static JsonObject json(KerasImporter.Result r) {
    ImportedModel m = r.model();
    JsonObject o = new JsonObject();
    o.addProperty("path", m.source().toString());
    o.addProperty("kind", "keras");
    o.addProperty("format", r.format());
    o.addProperty("keras_version", r.kerasVersion());
    o.addProperty("model_class", r.modelClass());
    o.addProperty("signature", m.signatureKey());
    o.addProperty("input", m.inputKey());
    o.add("input_shape", array(inputShape(r)));
    o.addProperty("output", m.outputKey());
    o.addProperty("parameters", m.parameterCount());
    o.addProperty("trainable_parameters", trainable(m));
    o.addProperty("optimizer_arrays", r.optimizerArrays());
    o.addProperty("optimizer_state", optimizer(r));
    JsonArray layers = new JsonArray();
    for (KerasImporter.LayerSummary l : r.layers()) {
      JsonObject lo = new JsonObject();
      lo.addProperty("name", l.path());
      lo.addProperty("class", l.className());
      lo.addProperty("parameters", l.parameters());
      lo.add("output_shape", array(l.outputShape()));
      layers.add(lo);
    }
    o.add("layers", layers);
    return o;
  }

  private static String optimizer(KerasImporter.Result r) {
    return r.optimizerArrays() == 0 ? "none in the file"
        : r.optimizerArrays() + " arrays in the file, ignored (fine-tuning starts a fresh optimizer)";
  }

  private static long trainable(ImportedModel m) {
    return m.variables().entrySet().stream().filter(e -> m.isTrainable(e.getKey()))
        .mapToLong(e -> e.getValue().size()).sum();
  }

  private static long[] inputShape(KerasImporter.Result r) {
    String node = r.model().inputTensor().replaceAll(":0$", "");
    for (var n : r.model().graph().getNodeList()) {
      if (n.getName().equals(node) && n.containsAttr("shape")) {
        return n.getAttrOrThrow("shape").getShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray();
      }
    }
    return null;
  }

  private static String shape(long[] s) {
    return s == null ? "[?]" : Arrays.toString(s).replace("-1", "?");
  }

  private static JsonArray array(long[] s) {
    JsonArray a = new JsonArray();
    if (s != null) {
      for (long d : s) {
        a.add(d);
      }
    }
    return a;
  }
}
