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

  /** The MetaGraph whose tag set is exactly {@code {tag}}, or {@code null}. */
  public MetaGraphInfo metaGraph(String tag) {
    return metaGraphs.stream().filter(m -> m.tags().equals(List.of(tag))).findFirst().orElse(null);
  }
}
