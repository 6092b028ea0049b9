/**
 * Compresso: prune, quantize and convert TensorFlow SavedModels to TensorFlow Lite on the JVM.
 *
 * <p>This package holds only the exception root shared by every stage ({@link
 * dev.compresso.CompressoException}, {@link dev.compresso.BadInputException}). Stages live in the
 * sub-packages: {@code model} (SavedModel import/export), {@code graph} (GraphDef rewrites), {@code
 * data} (datasets), {@code train} (losses, metrics, fine-tuning), {@code prune}, {@code quant}, {@code
 * tflite} (converter bridge, flatbuffer reading, interpreter), {@code edgetpu}, {@code bench}, {@code
 * report}, and the {@code cli} that ties them together.
 */
package dev.compresso;
