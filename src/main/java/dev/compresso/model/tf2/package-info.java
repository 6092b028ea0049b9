/**
 * Flattening TF2/Keras SavedModels into the TF1 form the rest of Compresso trains, prunes and freezes:
 * {@link dev.compresso.model.tf2.Tf2Importer} inlines every function a signature calls ({@code
 * StatefulPartitionedCall}/{@code PartitionedCall}, recursively) into one GraphDef, turns the captured
 * resource variables ({@code VarHandleOp} + {@code ReadVariableOp}) into {@code VariableV2} variables read
 * through one {@code Identity}, and restores their values from the SavedModel's checkpoint.
 *
 * <p>Also here: the op definitions used to map function-body references to GraphDef outputs ({@link
 * dev.compresso.model.tf2.OpRegistry}) and the one table of how each op type is inlined ({@link
 * dev.compresso.model.tf2.InlineRules}). Not here: TF1 import, freezing and sessions (package {@code
 * model}, which calls in here), and generic GraphDef rewrites (package {@code graph}, whose {@link
 * dev.compresso.graph.Nodes} factories build every NodeDef this package emits).
 */
package dev.compresso.model.tf2;
