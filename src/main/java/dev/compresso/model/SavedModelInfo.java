package dev.compresso.model;

import java.util.List;

/**
 * What a SavedModel directory holds, as {@code compresso inspect} reports it. Serializes to JSON with
 * Gson as is.
 *
 * @param format always {@code saved_model}, so that a JSON reader can tell it from a {@code .tflite} report
 * @param path the directory, as given
 * @param bytes bytes on disk
 * @param metaGraphs one entry per MetaGraph, in file order
 */
public record SavedModelInfo(String format, String path, DiskUsage bytes, List<MetaGraphInfo> metaGraphs) {

  public static final String FORMAT = "saved_model";

  /**
   * The same report with only signature {@code key} in every MetaGraph ({@code compresso inspect
   * --signature KEY}).
   *
   * @throws dev.compresso.BadInputException naming the path and listing the keys when no MetaGraph has it
   */
  public SavedModelInfo withSignature(String key) {
    if (metaGraphs.stream().noneMatch(m -> m.signature(key) != null)) {
      java.util.Set<String> keys = new java.util.TreeSet<>();
      metaGraphs.forEach(m -> m.signatures().forEach(s -> keys.add(s.key())));
      keys.remove(SignatureInfo.INIT_OP_KEY);
      throw new dev.compresso.BadInputException("SavedModel " + path + " has no signature '" + key
          + "'; signatures present: " + String.join(", ", keys));
    }
    return new SavedModelInfo(format, path, bytes, metaGraphs.stream().map(m -> m.withSignature(key)).toList());
  }

  /** The MetaGraph whose tag set is exactly {@code {tag}}, or {@code null}. */
  public MetaGraphInfo metaGraph(String tag) {
    return metaGraphs.stream().filter(m -> m.tags().equals(List.of(tag))).findFirst().orElse(null);
  }
}
