package dev.compresso.train;

import java.util.HashMap;
import java.util.Map;
import org.tensorflow.op.Ops;

/**
 * Exact slash-separated op names for one graph. TF Java's {@code withName} refuses '/', and every
 * {@code withSubScope} call makes its scope name unique ({@code conv_1}, {@code conv_2}, ...), so each
 * scope path is created once here and reused: {@code at("enc0/conv/kernel")} names the next op exactly
 * {@code enc0/conv/kernel}.
 */
public final class OpNames {

  private final Ops root;
  private final Map<String, Ops> scopes = new HashMap<>();

  public OpNames(Ops root) {
    this.root = root;
  }

  /** {@code root} scoped so that the next op it creates is called {@code path}. */
  public Ops at(String path) {
    int slash = path.lastIndexOf('/');
    if (slash < 0) {
      return root.withName(path);
    }
    return scope(path.substring(0, slash)).withName(path.substring(slash + 1));
  }

  /** The scope for a slash-separated prefix, created once. */
  public Ops scope(String prefix) {
    Ops s = scopes.get(prefix);
    if (s == null) {
      int slash = prefix.lastIndexOf('/');
      Ops parent = slash < 0 ? root : scope(prefix.substring(0, slash));
      s = parent.withSubScope(slash < 0 ? prefix : prefix.substring(slash + 1));
      scopes.put(prefix, s);
    }
    return s;
  }
}
