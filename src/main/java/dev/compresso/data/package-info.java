/**
 * Datasets: in-memory float32 samples ({@link dev.compresso.data.Dataset}: split, batches, one-hot class
 * names) and the readers that make them from the CLI's {@code DATA} argument, opened through
 * {@link dev.compresso.data.DataSources#open(String)}:
 *
 * <ul>
 *   <li>{@code .npz} archives of NumPy arrays {@code x} and {@code y}
 *       ({@link dev.compresso.data.NpzReader}, with the {@code .npy} format in
 *       {@link dev.compresso.data.NpyReader}, {@link dev.compresso.data.NpyDtype});
 *   <li>folders of PNG images with masks or a {@code labels.csv}
 *       ({@link dev.compresso.data.ImageFolderReader}, decoding with {@code javax.imageio});
 *   <li>the built-in synthetic segmentation data ({@link dev.compresso.data.SyntheticShapes}, spec parsed
 *       by {@link dev.compresso.data.SyntheticSpec}).
 * </ul>
 *
 * <p>Everything here is plain Java: no TensorFlow types. Turning batches into tensors belongs to
 * {@code dev.compresso.train}; representative-data sampling for calibration to {@code dev.compresso.quant}.
 * Readers reject bad input with {@link dev.compresso.BadInputException} naming the file and what would be
 * accepted; they never modify their inputs.
 */
package dev.compresso.data;
