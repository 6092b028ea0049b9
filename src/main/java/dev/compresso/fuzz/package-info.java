/**
 * Fuzzing the readers with hostile inputs: {@link dev.compresso.fuzz.Mutator} derives damaged
 * {@code .tflite} and {@code saved_model.pb} files from real ones, {@link dev.compresso.fuzz.FuzzChild}
 * feeds them to the verbs that read them ({@code inspect}, {@code edgetpu}, the interpreter behind
 * {@code validate}, the freezer behind {@code convert}) in a child JVM, and {@link dev.compresso.fuzz.Fuzz}
 * runs batches of them, restarting a child that crashed or hung and counting what happened.
 *
 * <p>Not here: the readers themselves ({@code tflite}, {@code model}), which these classes only call.
 */
package dev.compresso.fuzz;
