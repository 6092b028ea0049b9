package dev.compresso.train;

import org.tensorflow.op.Ops;

/** TF Java's {@code withName} refuses '/', so a full name like {@code enc0/conv/kernel} is a scope path. */
public final class OpNames {

  private OpNames() {}

  /** {@code tf} scoped so that the next op is called {@code path} (slash-separated) below its scope. */
  public static Ops at(Ops tf, String path) {
    String[] parts = path.split("/");
    Ops scoped = tf;
    for (int i = 0; i < parts.length - 1; i++) {
      scoped = scoped.withSubScope(parts[i]);
    }
    return scoped.withName(parts[parts.length - 1]);
  }
}
