/**
 * TFRecord datasets as {@code DATA}: shards of {@code tf.train.Example} records (TensorFlow's
 * {@code tensorflow/core/lib/io/record_writer.cc} framing), streamed through
 * {@link dev.compresso.data.StreamedSource} so a set larger than memory trains in a fixed heap.
 *
 * <ul>
 *   <li>{@link dev.compresso.data.tfrecord.TfRecordFormat}: the framing ({@code uint64 length,
 *       uint32 masked_crc32c(length), bytes, uint32 masked_crc32c(bytes)}, little-endian) and the masked
 *       CRC32C (the JDK's {@link java.util.zip.CRC32C});
 *   <li>{@link dev.compresso.data.tfrecord.TfRecordReader} / {@link dev.compresso.data.tfrecord.TfRecordWriter}:
 *       one file, plain or gzip, every CRC checked on read; a bad record names file, record index and
 *       byte offset;
 *   <li>{@link dev.compresso.data.tfrecord.TfRecordSpec}: the {@code DATA} spec, a file, folder or glob of
 *       {@code .tfrecord}/{@code .tfrecord.gz} shards with {@code ?x=..&y=..&x_shape=..&y_shape=..&buffer=..};
 *   <li>{@link dev.compresso.data.tfrecord.FeatureDecoder}: one {@code Example} feature to float32 values
 *       (float_list, int64_list, or PNG/JPEG bytes decoded by {@link dev.compresso.data.DecodedImage});
 *   <li>{@link dev.compresso.data.tfrecord.TfRecordSet}: the shards as a
 *       {@link dev.compresso.data.SampleStore}.
 * </ul>
 *
 * <p>The protos are TF Java's own ({@link org.tensorflow.proto.Example}). Nothing here holds more than one
 * record; shuffling, splitting and batching belong to {@link dev.compresso.data.StreamedSource}.
 */
package dev.compresso.data.tfrecord;
