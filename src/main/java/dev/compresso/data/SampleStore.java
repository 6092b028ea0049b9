package dev.compresso.data;

import java.security.MessageDigest;

/**
 * Samples stored on disk in shards of records, read sequentially: what a {@link StreamedSource} streams
 * from (e.g. {@link dev.compresso.data.tfrecord.TfRecordSet}). A sample's global index is its position
 * in shard order, then record order.
 */
public interface SampleStore {

  /** The spec or path, for messages. */
  String source();

  long[] inputShape();

  long[] targetShape();

  int shardCount();

  /** Records in shard {@code shard}. */
  int shardSize(int shard);

  /** A cursor at the first record of {@code shard}. */
  Cursor open(int shard);

  /** Feeds what identifies the stored data to {@code sha} without reading it whole. */
  void digest(MessageDigest sha);

  /** Sequential reading of one shard. */
  interface Cursor extends AutoCloseable {
    /** Decodes the next record into {@code x} and {@code y} (of the store's sizes). */
    void read(float[] x, float[] y);

    /** Skips the next record without decoding it. */
    void skip();

    @Override
    void close();
  }
}
