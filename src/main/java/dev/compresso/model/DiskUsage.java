package dev.compresso.model;

/**
 * Bytes a SavedModel directory takes on disk.
 *
 * @param savedModelPb size of {@code saved_model.pb} (graph, signatures, object graph)
 * @param variables all files under {@code variables/} (the checkpoint: index and data shards)
 * @param total all files in the directory, {@code assets/} and {@code fingerprint.pb} included
 */
public record DiskUsage(long savedModelPb, long variables, long total) {}
