/**
 * A static Edge TPU compatibility check of a .tflite model, op by op, without the Edge TPU compiler.
 *
 * <p>Here: {@link dev.compresso.edgetpu.EdgeTpuRules}, the one declarative table of Coral's published
 * model requirements ("TensorFlow models on the Edge TPU", https://coral.ai/docs/edgetpu/models-intro/:
 * "Model requirements" and "Supported operations") with one reason per {@link dev.compresso.edgetpu.Rule};
 * {@link dev.compresso.edgetpu.EdgeTpuChecker}, which applies the table to every operator of the primary
 * subgraph and then Coral's one-partition rule (everything after the first unmappable op stays on the
 * CPU); {@link dev.compresso.edgetpu.MacFormula} (multiply-accumulates of conv, depthwise, fully connected
 * and transpose conv from shapes); {@link dev.compresso.edgetpu.EdgeTpuReport}, the result as text and
 * JSON. Operator options and constant data are read from the flatbuffer by
 * {@link dev.compresso.edgetpu.OpContext}.
 *
 * <p>Not here: reading and validating the .tflite file ({@code dev.compresso.tflite}), converting or
 * rewriting models so that they map ({@code dev.compresso.tflite.convert}), the CLI verb
 * ({@code dev.compresso.cli.EdgeTpuCommand}). Nothing here runs native code.
 */
package dev.compresso.edgetpu;
