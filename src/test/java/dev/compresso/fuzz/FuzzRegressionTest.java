package dev.compresso.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import dev.compresso.data.DataSources;
import dev.compresso.io.AtomicOutput;
import dev.compresso.model.Freezer;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.SavedModels;
import dev.compresso.model.keras.KerasImporter;
import dev.compresso.tflite.TfliteModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inputs the fuzzer found that escaped as internal errors before their fixes, rebuilt from their case
 * numbers: each must now be a {@link BadInputException} naming the input.
 */
class FuzzRegressionTest {

  /** Seed 1, cases 2120 and 2895: an operator's builtin_options offset points outside the file. */
  @Test
  void optionsTableOutsideTheFileIsRefusedByTheReader() {
    for (int index : new int[] {2120, 2895}) {
      FuzzCase c = FuzzCase.of(FuzzCase.Family.TFLITE, FuzzTest.TFLITE, 1, index);
      BadInputException e = assertThrows(BadInputException.class, () -> TfliteModel.fromBytes(c.bytes(), "case.tflite"),
          "case " + index);
      assertTrue(e.getMessage().startsWith("case.tflite: not a valid TFLite model"), e.getMessage());
    }
  }

  /**
   * Seed 20261129: damaged graphs that TensorFlow refuses with {@code TFInvalidArgumentException}, an
   * {@code IllegalArgumentException} rather than a {@code TensorFlowException} (cases 20, 28, 71, 79, 118),
   * and a freeze error that named the node but not the model (case 111).
   */
  @Test
  void tensorFlowRefusalsOfDamagedSavedModelsAreBadInput(@TempDir Path tmp) throws IOException {
    for (int index : new int[] {20, 28, 71, 79, 111, 118}) {
      FuzzCase c = FuzzCase.of(FuzzCase.Family.SAVED_MODEL, FuzzTest.SAVED_MODELS, 20261129L, index);
      Path dir = tmp.resolve("case" + index);
      copy(c.seedFile(), dir);
      Files.write(dir.resolve(c.target()), c.bytes());
      List<Runnable> calls = List.of(
          () -> SavedModels.load(dir, SavedModels.SERVE).close(),
          () -> Freezer.freeze(dir),
          () -> ModelImporter.read(dir, SavedModels.SERVE, SavedModels.SERVING_DEFAULT));
      for (Runnable call : calls) {
        try {
          call.run();
        } catch (BadInputException e) {
          assertTrue(e.getMessage().contains(dir.toString()) && !e.getMessage().contains("\n"),
              "case " + index + ": " + e.getMessage());
        }
      }
    }
  }

  /** Seed 42 with three SavedModel seeds, case 1992: a damaged node name holding a line break. */
  @Test
  void lineBreaksInDamagedNodeNamesStayOnOneLine(@TempDir Path tmp) throws IOException {
    FuzzCase c = FuzzCase.of(FuzzCase.Family.SAVED_MODEL, List.of(SAVED_MODELS_3.get(0), SAVED_MODELS_3.get(1),
        SAVED_MODELS_3.get(2)), 42L, 1992);
    Path dir = tmp.resolve("case1992");
    copy(c.seedFile(), dir);
    Files.write(dir.resolve(c.target()), c.bytes());
    BadInputException e = assertThrows(BadInputException.class, () -> Freezer.freeze(dir));
    assertTrue(e.getMessage().contains(dir.toString()) && !e.getMessage().contains("\n"), e.getMessage());
  }

  static final Path KERAS_FILES = Path.of("src/test/resources/fixtures/keras_files");

  /**
   * The bug of the issue that opened the format fuzz: a {@code .keras} whose config names a convolution that its
   * input or its weights do not fit ended in exit 1, "internal error: IndexOutOfBoundsException" from {@code
   * ConvLayers.weights}. Rebuilt by hand: the Dense layer {@code d1} of {@code dense.keras} turned into a Conv2D (its
   * input has rank 2), and the config of {@code conv2d.keras} with the weights of {@code dense.keras}. Each must be
   * one line naming the file and the layer (and the weight that is missing).
   */
  @Test
  void aConfigThatItsInputsOrWeightsDoNotFitNamesTheLayerAndTheWeight(@TempDir Path tmp) throws IOException {
    Map<String, byte[]> dense = ZipBytes.members(Files.readAllBytes(KERAS_FILES.resolve("dense.keras")));
    JsonObject config = JsonParser.parseString(new String(dense.get("config.json"), StandardCharsets.UTF_8))
        .getAsJsonObject();
    for (var layer : config.getAsJsonObject("config").getAsJsonArray("layers")) {
      JsonObject l = layer.getAsJsonObject();
      if (l.getAsJsonObject("config").get("name").getAsString().equals("d1")) {
        l.addProperty("class_name", "Conv2D");
        l.getAsJsonObject("config").addProperty("filters", 8);
        l.getAsJsonObject("config").add("kernel_size", JsonParser.parseString("[3, 3]"));
      }
    }
    Map<String, byte[]> conv = new LinkedHashMap<>(dense);
    conv.put("config.json", config.toString().getBytes(StandardCharsets.UTF_8));
    Path convFile = tmp.resolve("dense_as_conv.keras");
    Files.write(convFile, ZipDamage.rebuild(conv, false));
    BadInputException e = assertThrows(BadInputException.class, () -> KerasImporter.read(convFile));
    assertOneLine(e, convFile, "layer d1 (Conv2D)");

    Map<String, byte[]> swapped = new LinkedHashMap<>(ZipBytes.members(Files.readAllBytes(
        KERAS_FILES.resolve("conv2d.keras"))));
    swapped.put("model.weights.h5", dense.get("model.weights.h5"));
    Path swapFile = tmp.resolve("conv_config_dense_weights.keras");
    Files.write(swapFile, ZipDamage.rebuild(swapped, false));
    e = assertThrows(BadInputException.class, () -> KerasImporter.read(swapFile));
    assertOneLine(e, swapFile, "layer c_dil: weight 'kernel' [3, 3, 4, 8] is missing from model.weights.h5");
    assertTrue(e.getMessage().contains("the config and the weights disagree"), e.getMessage());
  }

  /**
   * Format fuzz, seed 20261207 (the first 10,200-case run): KERAS cases 393, 598 and 1148 (config values of the
   * wrong JSON type or range met by the importer: ClassCastException, IllegalStateException, IndexOutOfBounds, exit
   * 1); KERAS 368 (an InputLayer dtype that is a JSON object, as Keras 3's dtype policies are:
   * UnsupportedOperationException) now imports. KERAS 816 and H5 335, 366, 658, 703 (a damaged HDF5 object-header
   * size that jHDF allocates: OutOfMemoryError, exit 1, under a 256 MB heap) are checked under that heap by
   * {@link MemoryBoundTest}; with this JVM's larger heap the allocation may succeed, so here they need only end
   * as a clean import or a one-line refusal.
   */
  @Test
  void damagedConfigsAndHdf5SizesFromTheFirstLongRunAreOneLineRefusals(@TempDir Path tmp) throws IOException {
    Map<FuzzCase.Family, List<Path>> seeds = Fuzz.formatSeeds(Path.of("src/test/resources"));
    for (var c : List.of(Map.entry(FuzzCase.Family.KERAS, 393), Map.entry(FuzzCase.Family.KERAS, 598),
        Map.entry(FuzzCase.Family.KERAS, 1148))) {
      DamagedInput d = FormatDamage.of(c.getKey(), seeds.get(c.getKey()), 20261207L, c.getValue());
      Path in = d.writeTo(tmp.resolve(c.getKey() + "-" + c.getValue()));
      BadInputException e = assertThrows(BadInputException.class, () -> KerasImporter.read(in), c.toString());
      assertOneLine(e, in, "the model config is damaged");
    }
    for (var c : BoundedReads.HDF5_SIZES) {
      DamagedInput d = FormatDamage.of(c.getKey(), seeds.get(c.getKey()), 20261207L, c.getValue());
      Path in = d.writeTo(tmp.resolve(c.getKey() + "-" + c.getValue()));
      try {
        KerasImporter.read(in);
      } catch (BadInputException e) {
        assertOneLine(e, in, "");
      }
    }
    DamagedInput policy = FormatDamage.of(FuzzCase.Family.KERAS, seeds.get(FuzzCase.Family.KERAS), 20261207L, 368);
    KerasImporter.read(policy.writeTo(tmp.resolve("KERAS-368")));
  }

  /**
   * Same run, NPZ cases 9 and 44: a damaged .npy header quoted in the message with its trailing line break (and
   * control characters): two lines.
   */
  @Test
  void damagedNpyHeadersAreQuotedOnOneLine(@TempDir Path tmp) throws IOException {
    List<Path> seeds = Fuzz.formatSeeds(Path.of("src/test/resources")).get(FuzzCase.Family.NPZ);
    for (int index : new int[] {9, 44}) {
      Path in = FormatDamage.of(FuzzCase.Family.NPZ, seeds, 20261207L, index).writeTo(tmp.resolve("npz" + index));
      BadInputException e = assertThrows(BadInputException.class, () -> DataSources.open(in.toString()));
      assertOneLine(e, in, "corrupt .npy header");
    }
  }

  /**
   * Format fuzz, seed 1: KERAS case 19 (a damaged config whose layer is called on nothing: IndexOutOfBoundsException
   * from {@code CoreLayers}, exit 1), cases 14 and 18 (zip bombs: a member inflating to 600 MB, read whole into
   * the heap: OutOfMemoryError, exit 1); H5 case 10 (a model_config that is no JSON: Gson's message broke the line).
   */
  @Test
  void damagedKerasFilesFoundByTheFormatFuzzAreOneLineRefusals(@TempDir Path tmp) throws IOException {
    Map<FuzzCase.Family, List<Path>> seeds = Fuzz.formatSeeds(Path.of("src/test/resources"));
    for (var c : List.of(Map.entry(FuzzCase.Family.KERAS, 19), Map.entry(FuzzCase.Family.KERAS, 14),
        Map.entry(FuzzCase.Family.KERAS, 18), Map.entry(FuzzCase.Family.H5, 10))) {
      DamagedInput d = FormatDamage.of(c.getKey(), seeds.get(c.getKey()), 1, c.getValue());
      Path in = d.writeTo(tmp.resolve(c.getKey() + "-" + c.getValue()));
      BadInputException e = assertThrows(BadInputException.class, () -> KerasImporter.read(in), c.toString());
      assertOneLine(e, in, "");
    }
  }

  private static void assertOneLine(BadInputException e, Path file, String names) {
    String m = e.getMessage();
    assertTrue(m.startsWith(file.toString()) && !m.contains("\n") && m.contains(names), m);
  }

  static final List<Path> SAVED_MODELS_3 = List.of(FuzzTest.SAVED_MODELS.get(0), FuzzTest.SAVED_MODELS.get(1),
      Path.of("src/test/resources/fixtures/keras/conv1d/keras_export"));

  private static void copy(Path from, Path to) throws IOException {
    AtomicOutput.deleteTree(to);
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
