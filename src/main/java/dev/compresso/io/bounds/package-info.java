/**
 * Limits on what a damaged or hostile input can make a reader allocate: a size an input declares (a
 * {@code .npy} shape, a TFRecord length, a PNG's width and height, a zip member's uncompressed size) is checked
 * against the bytes that can hold it ({@link dev.compresso.io.bounds.ZipLimits}: a deflated member inflates at
 * most 1032-fold) and against the heap this JVM may still use ({@link dev.compresso.io.bounds.MemoryBudget})
 * before anything of that size is allocated, and what a compressed member inflates to is counted as it is read
 * ({@link dev.compresso.io.bounds.BoundedInput}). The readers themselves live in {@code data} and {@code
 * model.keras}.
 */
package dev.compresso.io.bounds;
