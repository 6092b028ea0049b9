/**
 * Fuzzing the readers with hostile inputs: {@link dev.compresso.fuzz.Mutator} derives damaged {@code .tflite} and
 * {@code saved_model.pb} files from real ones, {@link dev.compresso.fuzz.FormatDamage} damaged {@code .keras},
 * {@code .h5}, {@code .npz}, TFRecord (plain and gzip) and image-folder inputs (by bytes and by meaning: {@link
 * dev.compresso.fuzz.ZipDamage}, {@link dev.compresso.fuzz.JsonDamage}, {@link dev.compresso.fuzz.Hdf5Damage},
 * {@link dev.compresso.fuzz.NpyDamage}, {@link dev.compresso.fuzz.TfRecordDamage}, {@link
 * dev.compresso.fuzz.PngDamage}); {@link dev.compresso.fuzz.FuzzChild} feeds them to the verbs that read them
 * ({@code inspect}, {@code edgetpu}, the interpreter behind {@code validate}, the freezer behind {@code convert},
 * {@code prune --dry-run}, validate's data path, {@code convert --calibration-data}) in a child JVM, and {@link
 * dev.compresso.fuzz.Fuzz} runs batches of them, restarting a child that crashed or hung and counting what
 * happened.
 *
 * <p>Not here: the readers themselves ({@code tflite}, {@code model}, {@code data}) and the bounds they check
 * ({@code io.bounds}), which these classes only call.
 */
package dev.compresso.fuzz;
