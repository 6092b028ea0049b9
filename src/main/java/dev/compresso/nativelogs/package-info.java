/**
 * What the native libraries underneath Compresso write to stderr: TensorFlow's absl logging (TF Java's
 * TensorFlow 2.18) and TFLite's logger. Compresso is quiet by default (errors reach the user as
 * Compresso's own one-line messages); {@code --verbose} lets the native INFO lines through. Nothing here
 * decides what Compresso itself prints.
 */
package dev.compresso.nativelogs;
