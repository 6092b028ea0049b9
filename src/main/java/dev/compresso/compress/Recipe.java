package dev.compresso.compress;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import dev.compresso.prune.Granularity;
import dev.compresso.ptq.PtqMethods;
import dev.compresso.sweep.Cell;
import dev.compresso.sweep.Variant;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * One candidate of a search, as data: how to make one {@code .tflite} from the source model, and what it
 * was made from. Prune to {@code sparsity} with {@code granularity} (0: not pruned), cluster to {@code
 * clusters} values per kernel keeping the zeros (0: not clustered), fine-tune with QAT when {@code qat},
 * then convert to {@code precision} with {@code io} and the {@code keepFloat} nodes left in float, after the
 * post-training methods {@code ptq} (a calibrated int8 or int16x8 model; {@code convert --ptq}).
 * {@code recipe.json} is this record; {@code compresso compress --recipe} replays it. A new axis (as
 * {@code ptq} was) is one more field here, one more key in the JSON and one more entry in {@link #variant}.
 *
 * @param sparsity target sparsity in [0, 1)
 * @param granularity {@code prune --granularity} spelling ({@code unstructured}, {@code 2:4}, ...)
 * @param clusters values per kernel, 0 or at least 2
 * @param qat int8 ranges learned by quantization-aware fine-tuning (int8 only)
 * @param precision what the converter produces
 * @param io the I/O type (float unless int8)
 * @param keepFloat graph nodes kept in float in an int8 model ({@code convert --keep-float}); empty
 * @param training how fine-tuning ran and how the data were split
 * @param inputs the model and data the recipe was made from
 * @param target the target the search judged it for
 * @param budget the budget it was judged against
 * @param ptq the post-training methods run before conversion, joined with '+' ({@link Variant#ptq}), or {@code
 *     none}; a recipe.json without the key (written before recipes had it) reads as none
 */
public record Recipe(double sparsity, String granularity, int clusters, boolean qat, Precision precision, IoType io,
    Set<String> keepFloat, Training training, Fingerprint inputs, Target target, Budget budget,
    String ptq) {

  public static final int VERSION = 1;

  public Recipe {
    if (!(sparsity >= 0 && sparsity < 1)) {
      throw new BadInputException("recipe: sparsity " + sparsity + " is outside [0, 1)");
    }
    granularity = Granularity.parse(granularity).spelling();
    if (clusters == 1 || clusters < 0) {
      throw new BadInputException("recipe: clusters " + clusters + " must be 0 (not clustered) or at least 2");
    }
    keepFloat = Set.copyOf(new TreeSet<>(keepFloat));
    try {
      // validates qat/precision/ptq/keep-float, spells ptq canonically
      ptq = new Variant(precision, qat, io, ptq, keepFloat).ptq();
    } catch (BadInputException e) {
      throw new BadInputException("recipe: " + e.getMessage().replaceFirst("^--ptq: ", "ptq: "), e);
    }
    if (precision != Precision.INT8) {
      io = IoType.FLOAT;
    }
    if (!keepFloat.isEmpty() && precision != Precision.INT8) {
      throw new BadInputException("recipe: keep_float needs precision int8, not " + precision.cliName());
    }
  }

  /** A recipe without post-training methods. */
  public Recipe(double sparsity, String granularity, int clusters, boolean qat, Precision precision, IoType io,
      Set<String> keepFloat, Training training, Fingerprint inputs, Target target, Budget budget) {
    this(sparsity, granularity, clusters, qat, precision, io, keepFloat, training, inputs, target, budget,
        PtqMethods.NONE);
  }

  /** The recipe of {@code variant} of a sweep cell. */
  static Recipe of(Cell cell, Variant variant, Training training, Fingerprint inputs, Target target, Budget budget) {
    return new Recipe(cell.sparsity(), cell.granularity(), cell.clusters(), variant.qat(), variant.precision(),
        variant.io(), variant.keepFloat(), training, inputs, target, budget,
        variant.ptq());
  }

  /** The sweep cell that makes this recipe's SavedModel ({@code index} in its round). */
  public Cell cell(int index) {
    return Cell.model(index, sparsity, granularity, clusters);
  }

  /** The conversion of the cell's model that makes this recipe's file. */
  public Variant variant() {
    return new Variant(precision, qat, io, ptq, keepFloat);
  }

  /**
   * Short form for tables and logs, e.g. {@code 75% 2:4 + 16 clusters + QAT, int8 (uint8 I/O)} or {@code
   * dense, int8 (uint8 I/O), ptq cle+range+bias}.
   */
  public String describe() {
    StringBuilder b = new StringBuilder();
    if (sparsity > 0) {
      b.append(String.format(Locale.ROOT, "%.0f%% ", sparsity * 100));
      b.append(granularity.equals(Cell.UNSTRUCTURED) ? "pruned" : granularity);
    } else {
      b.append("dense");
    }
    if (clusters > 0) {
      b.append(" + ").append(clusters).append(" clusters");
    }
    if (qat) {
      b.append(" + QAT");
    }
    b.append(", ").append(precision.cliName());
    if (io != IoType.FLOAT) {
      b.append(" (").append(io.cliName()).append(" I/O)");
    }
    if (!ptq.equals(PtqMethods.NONE)) {
      b.append(", ptq ").append(ptq);
    }
    if (!keepFloat.isEmpty()) {
      b.append(", float ").append(String.join(",", keepFloat.stream().sorted().toList()));
    }
    return b.toString();
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("recipe_version", VERSION);
    o.addProperty("sparsity", sparsity);
    o.addProperty("granularity", granularity);
    o.addProperty("clusters", clusters);
    o.addProperty("qat", qat);
    o.addProperty("precision", precision.cliName());
    o.addProperty("io", io.cliName());
    JsonArray k = new JsonArray();
    keepFloat.stream().sorted().forEach(k::add);
    o.add("keep_float", k);
    o.addProperty("ptq", ptq);
    o.add("training", training.toJson());
    o.add("inputs", inputs.toJson());
    o.addProperty("target", target.cliName());
    o.addProperty("budget", budget.kind().name().toLowerCase(Locale.ROOT));
    o.addProperty("budget_amount", budget.amount());
    return o;
  }

  public String toJsonText() {
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(toJson()) + "\n";
  }

  public static Recipe fromJson(JsonObject o) {
    int version = o.has("recipe_version") ? o.get("recipe_version").getAsInt() : -1;
    if (version != VERSION) {
      throw new BadInputException("recipe_version " + version + " is not " + VERSION + " (this Compresso's)");
    }
    Set<String> keep = new TreeSet<>();
    if (o.has("keep_float")) {
      o.getAsJsonArray("keep_float").forEach(e -> keep.add(e.getAsString()));
    }
    return new Recipe(o.get("sparsity").getAsDouble(), o.get("granularity").getAsString(), o.get("clusters").getAsInt(),
        o.get("qat").getAsBoolean(), Precision.parse(o.get("precision").getAsString()),
        IoType.parse(o.get("io").getAsString()), keep, Training.fromJson(o.getAsJsonObject("training")),
        Fingerprint.fromJson(o.getAsJsonObject("inputs")), Target.parse(o.get("target").getAsString()),
        new Budget(Budget.Kind.valueOf(o.get("budget").getAsString().toUpperCase(Locale.ROOT)),
            o.get("budget_amount").getAsDouble()),
        o.has("ptq") ? o.get("ptq").getAsString() : PtqMethods.NONE);
  }

  /** Reads a {@code recipe.json}; a file that is not one is exit 2 naming it. */
  public static Recipe read(Path file) {
    try {
      return fromJson(JsonParser.parseString(Files.readString(file)).getAsJsonObject());
    } catch (IOException | RuntimeException e) {
      if (e instanceof BadInputException b) {
        throw new BadInputException(file + ": " + b.getMessage(), b);
      }
      throw new BadInputException(file + " is not a compress recipe: " + e.getMessage(), e);
    }
  }
}
