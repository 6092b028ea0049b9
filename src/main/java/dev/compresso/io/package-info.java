/**
 * Writing outputs so that a killed run leaves the old output or the new one, never half of one: files
 * and folders are written to a temporary sibling and renamed into place. Inputs are never written.
 */
package dev.compresso.io;
