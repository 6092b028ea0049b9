/**
 * SavedModel directories: reading {@code saved_model.pb} with TensorFlow's own protobuf classes
 * ({@link org.tensorflow.proto.SavedModel}, {@link org.tensorflow.proto.MetaGraphDef}, ...), checking
 * them before TensorFlow sees them, loading them with TF Java, and describing what is inside
 * ({@link dev.compresso.model.SavedModelInspector}: tags, signatures, op histograms of the main graph and
 * of the function library, variables and parameter counts, bytes on disk).
 *
 * <p>Both flavours are read: TF1 graphs (ref {@code VariableV2} variables, as TF Java's exporter writes
 * them) and TF2/Keras exports (a {@code StatefulPartitionedCall} into a function library, resource
 * variables described by the {@code SavedObjectGraph}).
 *
 * <p>{@link dev.compresso.model.ModelImporter} reads either flavour into an {@link
 * dev.compresso.model.ImportedModel} (TF1 form: {@code VariableV2} variables read through one {@code
 * Identity}); TF2 exports are flattened by subpackage {@code model.tf2} on the way. What public exports
 * carry is taken there: one of several signatures, every input, every output ({@link
 * dev.compresso.model.ImportOptions} keeps one), integer inputs, integer variables (frozen as constants, {@link
 * dev.compresso.model.VariableConstants}), an input that is an {@code Identity} of its {@code Placeholder}, an input shape the signature leaves open ({@link
 * dev.compresso.model.InputShape}), the only MetaGraph of a model saved without the {@code serve} tag;
 * {@link dev.compresso.model.FineTuneChecks} says what fine-tuning needs beyond that.
 *
 * <p>Also here: freezing an imported model into a constant-only graph for the converter ({@link
 * dev.compresso.model.Freezer}; variables become constants, {@code MaxPoolV2} with constant window becomes the
 * {@code MaxPool} the converter knows). There is one road: every SavedModel is read by {@code ModelImporter}
 * first, and freezing, pruning, QAT, calibration and export all start from the {@code ImportedModel}. Not
 * here: editing {@code NodeDef}s (package {@code graph}, through rewrites), training ({@code train}), and anything about {@code .tflite}
 * files ({@code tflite}). Nothing in this package modifies its input directory.
 */
package dev.compresso.model;
