package dev.compresso.model;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;

/**
 * Reading, checking and loading SavedModel directories. Every failure caused by the input is a {@link
 * BadInputException} whose one-line message names the directory, file, tag or signature, and what was
 * there instead.
 *
 * <p>Layout followed: tensorflow/cc/saved_model/constants.h ({@code saved_model.pb},
 * {@code variables/variables.index}); a MetaGraph is chosen by its exact tag set, as TensorFlow's
 * loader does.
 */
public final class SavedModels {

  public static final String SAVED_MODEL_PB = "saved_model.pb";
  public static final String SAVED_MODEL_PBTXT = "saved_model.pbtxt";
  public static final String VARIABLES_DIR = "variables";
  public static final String VARIABLES_INDEX = "variables.index";
  /** The tag TF serving and {@code model.export} use. */
  public static final String SERVE = "serve";
  /** The signature key TF writes by default. */
  public static final String SERVING_DEFAULT = "serving_default";

  private SavedModels() {}

  /**
   * Parses {@code dir/saved_model.pb}.
   *
   * @throws BadInputException when {@code dir} is missing or not a directory, has no
   *     {@code saved_model.pb} (also when it has only a {@code saved_model.pbtxt}, which is not read), or
   *     the file is not a SavedModel protobuf or holds no MetaGraph
   */
  public static SavedModel read(Path dir) {
    if (!Files.exists(dir)) {
      throw new BadInputException("SavedModel directory " + dir + " does not exist");
    }
    if (!Files.isDirectory(dir)) {
      Path name = dir.getFileName();
      String hint = name != null && name.toString().equals(SAVED_MODEL_PB)
          ? " (give the folder that holds it: " + dir.toAbsolutePath().getParent() + ")"
          : " (expected a SavedModel directory, the folder holding saved_model.pb)";
      throw new BadInputException(dir + " is a file, not a SavedModel directory" + hint);
    }
    Path pb = dir.resolve(SAVED_MODEL_PB);
    if (!Files.isRegularFile(pb)) {
      if (Files.exists(dir.resolve(SAVED_MODEL_PBTXT))) {
        throw new BadInputException(dir + " has saved_model.pbtxt but no saved_model.pb: the text format is not "
            + "supported, write the binary saved_model.pb (the default of tf.saved_model.save and model.export)");
      }
      throw new BadInputException(dir + " is not a SavedModel directory: it has no saved_model.pb");
    }
    byte[] bytes;
    try {
      long size = Files.size(pb);
      if (size > Integer.MAX_VALUE - 8) {
        throw new BadInputException(pb + " is " + size + " bytes; protobuf files over 2 GB cannot be read");
      }
      bytes = Files.readAllBytes(pb);
    } catch (IOException e) {
      throw new BadInputException("cannot read " + pb + ": " + e, e);
    }
    SavedModel model;
    try {
      model = SavedModel.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new BadInputException(pb + " is not a valid SavedModel protobuf (" + oneLine(e.getMessage()) + ")", e);
    }
    if (model.getMetaGraphsCount() == 0) {
      throw new BadInputException(pb + " holds no MetaGraph (" + bytes.length + " bytes): not a SavedModel, or truncated");
    }
    return model;
  }

  /**
   * The MetaGraph whose tag set is exactly {@code {tag}}; when there is none and {@code tag} is {@link
   * #SERVE} (the default), the only MetaGraph of a model that has just one, whatever its tags (hub-style
   * modules are saved with no tags at all). Load it with {@link #tags(MetaGraphDef)}.
   *
   * @throws BadInputException naming the tag sets present when none matches
   */
  public static MetaGraphDef metaGraph(SavedModel model, Path dir, String tag) {
    for (MetaGraphDef mg : model.getMetaGraphsList()) {
      if (Set.copyOf(mg.getMetaInfoDef().getTagsList()).equals(Set.of(tag))) {
        return mg;
      }
    }
    if (tag.equals(SERVE) && model.getMetaGraphsCount() == 1) {
      return model.getMetaGraphs(0);
    }
    List<String> present = model.getMetaGraphsList().stream()
        .map(mg -> mg.getMetaInfoDef().getTagsList().toString()).toList();
    throw new BadInputException("SavedModel " + dir + " has no MetaGraph tagged '" + tag + "'; tag sets present: "
        + String.join(", ", present) + (model.getMetaGraphsCount() > 1 ? " (give one with --tag)" : ""));
  }

  /** The tags to load {@code metaGraph} with (possibly none). */
  public static String[] tags(MetaGraphDef metaGraph) {
    return metaGraph.getMetaInfoDef().getTagsList().toArray(new String[0]);
  }

  /**
   * The signature {@code key} of a MetaGraph.
   *
   * @throws BadInputException naming the signatures present when there is none with that key
   */
  public static SignatureDef signature(MetaGraphDef metaGraph, Path dir, String key) {
    SignatureDef def = metaGraph.getSignatureDefMap().get(key);
    if (def == null) {
      throw new BadInputException("SavedModel " + dir + " " + metaGraph.getMetaInfoDef().getTagsList()
          + " has no signature '" + key + "'; signatures present: "
          + String.join(", ", new TreeMap<>(metaGraph.getSignatureDefMap()).keySet().stream()
              .filter(k -> !k.equals(SignatureInfo.INIT_OP_KEY)).toList()));
    }
    return def;
  }

  /**
   * Loads a SavedModel with TF Java after checking it: the directory and file ({@link #read}), the tag
   * ({@link #metaGraph}), the checkpoint's presence and that every variable a signature reads is
   * restored ({@link GraphChecks}). The caller closes the bundle.
   *
   * @throws BadInputException for any of those, and when TensorFlow itself refuses the model
   */
  public static SavedModelBundle load(Path dir, String tag) {
    return load(dir, tag, null);
  }

  /**
   * {@link #load(Path, String)} with session options, e.g. the intra-op thread count.
   *
   * @param config the session's {@code ConfigProto}, or null for TensorFlow's defaults
   */
  public static SavedModelBundle load(Path dir, String tag, ConfigProto config) {
    MetaGraphDef metaGraph = metaGraph(read(dir), dir, tag);
    List<String> problems = problems(dir, metaGraph);
    if (!problems.isEmpty()) {
      throw new BadInputException("cannot load SavedModel " + dir + " [" + tag + "]: " + String.join("; ", problems));
    }
    try {
      SavedModelBundle.Loader loader = SavedModelBundle.loader(dir.toString()).withTags(tags(metaGraph));
      if (config != null) {
        loader = loader.withConfigProto(config);
      }
      return loader.load();
    } catch (RuntimeException e) {
      if (!TfErrors.isTensorFlow(e)) {
        throw e;
      }
      throw new BadInputException("TensorFlow could not load SavedModel " + dir + " [" + tag + "]: "
          + oneLine(e.getMessage()), e);
    }
  }

  /** Everything {@link #load} would refuse in this MetaGraph, one line each; empty when it is fine. */
  static List<String> problems(Path dir, MetaGraphDef metaGraph) {
    List<String> problems = new java.util.ArrayList<>(GraphChecks.problems(metaGraph, GraphIndex.tolerant(metaGraph.getGraphDef())));
    boolean hasVariables = VariableScanner.hasObjectGraphVariables(metaGraph)
        || metaGraph.getGraphDef().getNodeList().stream().anyMatch(n -> VariableScanner.VARIABLE_OPS.contains(n.getOp()));
    Path index = dir.resolve(VARIABLES_DIR).resolve(VARIABLES_INDEX);
    if (hasVariables && metaGraph.hasSaverDef() && !Files.isRegularFile(index)) {
      problems.add(index + " is missing: the graph has variables, their values would stay unset");
    }
    return problems;
  }

  /** Bytes on disk of {@code saved_model.pb}, {@code variables/} and the whole directory. */
  public static DiskUsage diskUsage(Path dir) {
    try {
      return new DiskUsage(Files.size(dir.resolve(SAVED_MODEL_PB)), bytesUnder(dir.resolve(VARIABLES_DIR)), bytesUnder(dir));
    } catch (IOException | UncheckedIOException e) {
      throw new BadInputException("cannot measure " + dir + ": " + oneLine(e.getMessage()), e);
    }
  }

  private static long bytesUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      long total = 0;
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          total += Files.size(p);
        }
      }
      return total;
    }
  }

  static String oneLine(String message) {
    if (message == null) {
      return "no detail";
    }
    String line = message.strip().lines().findFirst().orElse("");
    return line.isEmpty() ? "no detail" : line;
  }
}
