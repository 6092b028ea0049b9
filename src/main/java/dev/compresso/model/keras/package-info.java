/**
 * Keras model files as models: Keras 3 {@code .keras} archives (a zip of {@code config.json}, {@code
 * model.weights.h5} and {@code metadata.json}) and Keras 2-layout {@code .h5}/{@code .hdf5} full models (a
 * {@code model_config} attribute and a {@code model_weights} group whose layer groups list their datasets in a
 * {@code weight_names} attribute), read without Python.
 *
 * <p>{@link dev.compresso.model.keras.KerasFile} reads the file (HDF5 through jHDF, a pure-Java reader from
 * Maven Central); {@link dev.compresso.model.keras.KerasModelConfig} parses Sequential and Functional configs
 * (Keras 2 and Keras 3 spellings, nested models, shared layers); {@link dev.compresso.model.keras.KerasImporter}
 * rebuilds the layers as TF ops, one handler per Keras layer class in one table ({@link
 * dev.compresso.model.keras.KerasLayers}), with the stored weights as the values of {@code VariableV2} ref
 * variables read through one {@code Identity} {@code <var>/read}: the same {@link
 * dev.compresso.model.ImportedModel} a SavedModel import gives, so pruning, QAT, conversion and validation run
 * unchanged. Batch-norm moving statistics are frozen variables; optimizer state in the file is ignored.
 *
 * <p>Not here: SavedModels (package {@code model}), graph rewrites ({@code graph}), training ({@code train}).
 * Nothing here writes to the input file.
 */
package dev.compresso.model.keras;
