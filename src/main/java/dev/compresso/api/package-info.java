/**
 * Compresso as a library: the front door for a Java program that embeds it (a service, a build step, a
 * notebook). The command line is a thin user of this package, so both run the same stages the same way.
 *
 * <pre>{@code
 * try (CompressoModel model = Compresso.load(Path.of("savedmodels/unet"))) {
 *   SampleSource data = Compresso.data("synthetic:shapes?n=640");
 *   CompressoModel sparse = model.prune(Pruning.toSparsity(0.8).epochs(2), data);
 *   TfliteFile int8 = sparse.convert(Conversion.int8().io(IoType.UINT8).calibrateWith(data));
 *   Validation v = int8.validate(sparse, Compresso.data("synthetic:shapes?n=50&seed=7"));
 *   EdgeTpuReport tpu = int8.edgeTpu();
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.compresso.api.Compresso}: load a SavedModel ({@link dev.compresso.api.CompressoModel}) or a
 *       {@code .tflite} ({@link dev.compresso.api.TfliteFile}), open data.
 *   <li>Stage options are builders validated when the stage starts: {@link dev.compresso.api.Pruning}, {@link
 *       dev.compresso.api.Qat}, {@link dev.compresso.api.Conversion}, {@link dev.compresso.api.Validating}.
 *       Bad values are {@link dev.compresso.BadInputException}s naming the value and what is accepted.
 *   <li>Progress (epochs, steps, losses, notes) goes to a {@link dev.compresso.progress.ProgressListener}
 *       ({@link dev.compresso.api.CompressoModel#withProgress}); nothing here prints.
 * </ul>
 *
 * <p>Models and {@code .tflite} files live in memory between stages. A {@link
 * dev.compresso.api.CompressoModel} is closed to delete the temporary SavedModels it wrote for measurements
 * that run in child processes (validation's latency and memory probes); TensorFlow sessions and interpreters
 * are opened and closed inside each stage.
 *
 * <p>Not here: the stages themselves (packages {@code prune}, {@code qat}, {@code quant}, {@code tflite},
 * {@code bench}, {@code edgetpu}), and argument parsing ({@code cli}).
 */
package dev.compresso.api;
