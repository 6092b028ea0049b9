/**
 * Datasets, as the stages read them: a {@link dev.compresso.data.SampleSource} yields batches (in
 * storage order, or shuffled by a {@link java.util.Random} the trainer seeds per epoch), splits, and the
 * first samples. Two kinds:
 *
 * <ul>
 *   <li>in memory: {@link dev.compresso.data.Dataset}, float32 samples in flat arrays (split, batches,
 *       one-hot class names);
 *   <li>streamed: {@link dev.compresso.data.StreamedSource} over a {@link dev.compresso.data.SampleStore}
 *       (shards of records on disk), with a bounded shuffle buffer and hash splits, never holding the set.
 * </ul>
 *
 * <p>The readers behind the CLI's {@code DATA} argument, opened through
 * {@link dev.compresso.data.DataSources#openSource(String)}:
 *
 * <ul>
 *   <li>{@code .npz} archives of NumPy arrays {@code x} and {@code y}
 *       ({@link dev.compresso.data.NpzReader}, with the {@code .npy} format in
 *       {@link dev.compresso.data.NpyReader}, {@link dev.compresso.data.NpyDtype});
 *   <li>folders of PNG images with masks or a {@code labels.csv}
 *       ({@link dev.compresso.data.ImageFolderReader}, decoding with {@code javax.imageio} in
 *       {@link dev.compresso.data.DecodedImage});
 *   <li>the built-in synthetic segmentation data ({@link dev.compresso.data.SyntheticShapes}, spec parsed
 *       by {@link dev.compresso.data.SyntheticSpec});
 *   <li>TFRecord shards of {@code tf.train.Example}s, streamed ({@code dev.compresso.data.tfrecord}).
 * </ul>
 *
 * <p>A model with several inputs is fed from one {@code .npz} with an array per input, named by the input's key
 * ({@link dev.compresso.data.InputFeeds}, for calibration and validation; fine-tuning takes one input).
 *
 * <p>Everything here is plain Java: no TensorFlow types (the TFRecord reader uses only TF Java's protobuf
 * classes for {@code Example}, no native code). Turning batches into tensors belongs to
 * {@code dev.compresso.train}; representative-data sampling for calibration to {@code dev.compresso.quant}.
 * Readers reject bad input with {@link dev.compresso.BadInputException} naming the file and what would be
 * accepted; they never modify their inputs.
 */
package dev.compresso.data;
