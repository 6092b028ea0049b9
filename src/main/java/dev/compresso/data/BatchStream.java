package dev.compresso.data;

import java.util.Iterator;

/**
 * The batches of one pass over a {@link SampleSource}; closing it releases the files a streamed source
 * has open (closing an exhausted or in-memory stream does nothing).
 */
public interface BatchStream extends Iterator<Dataset.Batch>, AutoCloseable {

  @Override
  void close();

  /** A stream over an iterator that holds no resources. */
  static BatchStream of(Iterator<Dataset.Batch> batches) {
    return new BatchStream() {
      @Override
      public boolean hasNext() {
        return batches.hasNext();
      }

      @Override
      public Dataset.Batch next() {
        return batches.next();
      }

      @Override
      public void close() {}
    };
  }
}
