package dev.compresso.train;

import java.util.ArrayList;
import java.util.List;

/** Collects native resources (tensors) created for one session run and closes them together. */
public final class AutoCloseableList implements AutoCloseable {

  private final List<AutoCloseable> items = new ArrayList<>();

  /** Registers {@code item} for closing and returns it. */
  public <T extends AutoCloseable> T add(T item) {
    items.add(item);
    return item;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (int i = items.size() - 1; i >= 0; i--) {
      try {
        items.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing a native resource failed", e);
        }
      }
    }
    items.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
