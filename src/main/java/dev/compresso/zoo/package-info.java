/**
 * Model architectures Compresso builds itself in TF Java, and the programs that train and export the
 * small models shipped in {@code savedmodels/}. Nothing here is used to compress a user's model.
 */
package dev.compresso.zoo;
