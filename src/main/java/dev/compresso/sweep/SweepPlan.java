package dev.compresso.sweep;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import dev.compresso.io.AtomicOutput;
import dev.compresso.prune.Granularity;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A sweep's cells, in the order batch engines index them: the baseline first (index 0), then the model
 * cells: per clustering (unclustered first), the dense cell (sparsity 0) and one cell per other sparsity and
 * granularity, with an {@code M:N} granularity making one cell at its own sparsity M/N. A sweep without
 * granularity or cluster axes has one model cell per sparsity. {@link #write} puts the plan in {@code plan.json} in the sweep folder with the whole
 * configuration, so that a worker on any host needs nothing but the folder ({@code sweep --cell K --out
 * DIR}). Paths are stored absolute; the folder itself is wherever the plan is read from.
 *
 * @param config what every cell runs
 * @param cells the cells, {@code cells.get(k).index() == k}
 */
public record SweepPlan(SweepConfig config, List<Cell> cells) {

  public static final String FILE = "plan.json";

  public SweepPlan {
    cells = List.copyOf(cells);
  }

  /** The plan of {@code config}: baseline, then the model cells in the order given. */
  public static SweepPlan of(SweepConfig config) {
    List<Cell> cells = new ArrayList<>();
    cells.add(Cell.baseline(0));
    List<Integer> clusterings = new ArrayList<>();
    clusterings.add(0);
    clusterings.addAll(config.clusters());
    for (int k : clusterings) {
      for (double s : config.sparsities()) {
        if (s == 0) {
          cells.add(Cell.model(cells.size(), 0, Cell.UNSTRUCTURED, k));
          continue;
        }
        for (String g : config.granularities()) {
          if (!(Granularity.parse(g) instanceof Granularity.MByN)) {
            cells.add(Cell.model(cells.size(), s, g, k));
          }
        }
      }
      for (String g : config.granularities()) {
        if (Granularity.parse(g) instanceof Granularity.MByN mn) {
          cells.add(Cell.model(cells.size(), mn.sparsity(), g, k));
        }
      }
    }
    return new SweepPlan(absolute(config), cells);
  }

  /** The cell with index {@code k}. */
  public Cell cell(int k) {
    if (k < 0 || k >= cells.size()) {
      throw new BadInputException("--cell " + k + " is not in the plan of " + config.out() + ": it has "
          + cells.size() + " cells, 0 to " + (cells.size() - 1));
    }
    return cells.get(k);
  }

  /**
   * Writes {@code plan.json} into the sweep folder, atomically; a folder that already holds the same plan
   * is left as it is (so rerunning resumes), one holding a different plan is refused.
   */
  public void write() {
    Path file = config.out().resolve(FILE);
    String json = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(toJson()) + "\n";
    if (Files.exists(file)) {
      SweepPlan existing = read(config.out());
      if (!existing.toJson().equals(toJson())) {
        throw new BadInputException(config.out() + " holds a different sweep (" + file + "); choose another --out, "
            + "or delete the folder to start afresh");
      }
      return;
    }
    AtomicOutput.writeFile(file, json);
  }

  /** Reads the plan in {@code folder}. */
  public static SweepPlan read(Path folder) {
    Path file = folder.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(folder + " holds no sweep plan (" + FILE + "); write one with 'compresso sweep "
          + "MODEL --data DATA ... --out " + folder + " --plan'");
    }
    try {
      return fromJson(JsonParser.parseString(Files.readString(file)).getAsJsonObject(), folder);
    } catch (IOException | RuntimeException e) {
      if (e instanceof BadInputException b) {
        throw b;
      }
      throw new BadInputException("cannot read the sweep plan " + file + ": " + e.getMessage(), e);
    }
  }

  JsonObject toJson() {
    SweepConfig c = config;
    JsonObject o = new JsonObject();
    o.addProperty("model", c.model().toString());
    o.addProperty("data", c.data());
    o.addProperty("test_data", c.testData());
    JsonArray s = new JsonArray();
    c.sparsities().forEach(s::add);
    o.add("sparsities", s);
    JsonArray v = new JsonArray();
    for (Variant variant : c.variants()) {
      JsonObject e = new JsonObject();
      e.addProperty("precision", variant.precision().cliName());
      e.addProperty("qat", variant.qat());
      e.addProperty("io", variant.io().cliName());
      e.addProperty("ptq", variant.ptq());
      if (!variant.keepFloat().isEmpty()) {
        // Only when there are any: a plan without kept-float nodes reads as plans written before them did.
        JsonArray kf = new JsonArray();
        variant.keepFloat().stream().sorted().forEach(kf::add);
        e.add("keep_float", kf);
      }
      v.add(e);
    }
    o.add("variants", v);
    JsonArray g = new JsonArray();
    c.granularities().forEach(g::add);
    o.add("granularities", g);
    JsonArray k = new JsonArray();
    c.clusters().forEach(k::add);
    o.add("clusters", k);
    o.addProperty("epochs", c.epochs());
    o.addProperty("qat_epochs", c.qatEpochs());
    o.addProperty("batch", c.batch());
    o.addProperty("learning_rate", c.learningRate());
    o.addProperty("qat_learning_rate", c.qatLearningRate());
    o.addProperty("samples", c.samples());
    o.addProperty("runs", c.runs());
    o.addProperty("warmup", c.warmup());
    o.addProperty("threads", c.threads());
    o.addProperty("preset", c.preset());
    o.addProperty("adaround_iterations", c.adaroundIterations());
    JsonArray cs = new JsonArray();
    for (Cell cell : cells) {
      JsonObject e = new JsonObject();
      e.addProperty("index", cell.index());
      e.addProperty("id", cell.id());
      e.addProperty("kind", cell.kind().name().toLowerCase());
      e.addProperty("sparsity", cell.sparsity());
      e.addProperty("granularity", cell.granularity());
      e.addProperty("clusters", cell.clusters());
      cs.add(e);
    }
    o.add("cells", cs);
    return o;
  }

  static SweepPlan fromJson(JsonObject o, Path folder) {
    List<Double> sparsities = new ArrayList<>();
    o.getAsJsonArray("sparsities").forEach(e -> sparsities.add(e.getAsDouble()));
    List<Variant> variants = new ArrayList<>();
    for (JsonElement e : o.getAsJsonArray("variants")) {
      JsonObject v = e.getAsJsonObject();
      // A plan written before variants had PTQ methods has no "ptq": min/max calibration, as it ran then.
      java.util.Set<String> keepFloat = new java.util.TreeSet<>();
      if (v.has("keep_float")) {
        v.getAsJsonArray("keep_float").forEach(n -> keepFloat.add(n.getAsString()));
      }
      variants.add(new Variant(Precision.parse(v.get("precision").getAsString()), v.get("qat").getAsBoolean(),
          IoType.parse(v.get("io").getAsString()),
          v.has("ptq") ? v.get("ptq").getAsString() : dev.compresso.ptq.PtqMethods.NONE, keepFloat));
    }
    List<String> granularities = new ArrayList<>();
    o.getAsJsonArray("granularities").forEach(e -> granularities.add(e.getAsString()));
    List<Integer> clusters = new ArrayList<>();
    o.getAsJsonArray("clusters").forEach(e -> clusters.add(e.getAsInt()));
    SweepConfig config = SweepConfig.builder(Path.of(o.get("model").getAsString()), o.get("data").getAsString(), folder)
        .optTestData(o.get("test_data").getAsString()).optSparsities(sparsities).optVariants(variants)
        .optGranularities(granularities).optClusters(clusters)
        .optEpochs(o.get("epochs").getAsInt()).optQatEpochs(o.get("qat_epochs").getAsInt())
        .optBatch(o.get("batch").getAsInt()).optLearningRate(o.get("learning_rate").getAsDouble())
        .optQatLearningRate(o.get("qat_learning_rate").getAsDouble()).optSamples(o.get("samples").getAsInt())
        .optRuns(o.get("runs").getAsInt()).optWarmup(o.get("warmup").getAsInt())
        .optThreads(o.get("threads").getAsInt()).optPreset(o.get("preset").getAsString())
        .optAdaroundIterations(o.has("adaround_iterations") ? o.get("adaround_iterations").getAsInt()
            : dev.compresso.ptq.PtqOptions.ADAROUND_ITERATIONS_DEFAULT).build();
    SweepPlan plan = of(config);
    if (!plan.toJson().get("cells").equals(o.get("cells"))) {
      throw new BadInputException(folder.resolve(FILE) + ": its cells do not follow from its configuration");
    }
    return plan;
  }

  /** The config with its model and any data path absolute, so that workers elsewhere find them. */
  private static SweepConfig absolute(SweepConfig c) {
    return new SweepConfig(c.model().toAbsolutePath().normalize(), absoluteSpec(c.data()), absoluteSpec(c.testData()),
        c.sparsities(), c.variants(), c.granularities(), c.clusters(), c.epochs(), c.qatEpochs(), c.batch(),
        c.learningRate(), c.qatLearningRate(),
        c.samples(), c.runs(), c.warmup(), c.threads(), c.preset(), c.out(),
        c.adaroundIterations());
  }

  private static String absoluteSpec(String spec) {
    if (spec.isEmpty()) {
      return spec;
    }
    try {
      Path p = Path.of(spec);
      return Files.exists(p) ? p.toAbsolutePath().normalize().toString() : spec;
    } catch (InvalidPathException e) {
      return spec;
    }
  }
}
