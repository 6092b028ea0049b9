package dev.compresso.train;

import org.tensorflow.Output;
import org.tensorflow.types.TFloat32;

/**
 * A float32 ref variable ({@code VariableV2}) of a trainable graph.
 *
 * @param name the variable op's name (also its checkpoint key)
 * @param ref the variable's ref output, which {@code ApplyAdam} and {@code Assign} write through
 * @param read an {@code Identity} of the variable; the model reads it, and gradients are taken with
 *     respect to it (reading a ref straight into some gradient functions crashed the JVM; DESIGN.md)
 * @param shape the variable's static shape
 */
public record TrainableVariable(String name, Output<TFloat32> ref, Output<TFloat32> read, long[] shape) {

  /** Number of elements. */
  public long size() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}
