package dev.compresso.train;

import dev.compresso.CompressoException;
import dev.compresso.data.BatchStream;
import dev.compresso.data.Dataset;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A {@link BatchStream} that prepares the next batches on a background thread while the caller runs a
 * training step (a streamed source reads and decodes records then, instead of between steps). The
 * batches and their order are exactly the wrapped stream's: one thread consumes it, in order; at most
 * {@link #AHEAD} batches wait. An exception the wrapped stream throws reaches the caller at the batch
 * where it happened. Closing stops the thread (after the batch it is making) and closes the wrapped stream.
 */
public final class BatchPrefetch implements BatchStream {

  /** Batches that may wait, ready, besides the one being made. */
  public static final int AHEAD = 1;

  /** What the background thread hands over: a batch, the end, or what went wrong. */
  private record Item(Dataset.Batch batch, RuntimeException failure) {
    static final Item END = new Item(null, null);
  }

  private final BatchStream source;
  private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(AHEAD);
  private final Thread worker;
  private volatile boolean closed;
  private Item next;

  /** Starts prefetching from {@code source}, which this stream now owns. */
  public BatchPrefetch(BatchStream source) {
    this.source = source;
    worker = new Thread(this::produce, "compresso-batch-prefetch");
    worker.setDaemon(true);
    worker.start();
  }

  private void produce() {
    try {
      while (!closed) {
        Item item;
        try {
          item = source.hasNext() ? new Item(source.next(), null) : Item.END;
        } catch (RuntimeException e) {
          item = new Item(null, e);
        } catch (Error e) {
          item = new Item(null, CompressoException.internal("preparing the next batch failed: " + e, e));
        }
        queue.put(item);
        if (item.batch() == null) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw CompressoException.internal("interrupted while waiting for the next batch", e);
      }
    }
    if (next.failure() != null) {
      RuntimeException failure = next.failure();
      next = Item.END;
      throw failure;
    }
    return next.batch() != null;
  }

  @Override
  public Dataset.Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more batches");
    }
    Dataset.Batch b = next.batch();
    next = null;
    return b;
  }

  @Override
  public void close() {
    closed = true;
    boolean interrupted = false;
    while (worker.isAlive()) {
      queue.poll();
      try {
        worker.join(10);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    source.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
