package dev.compresso.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import dev.compresso.data.BatchStream;
import dev.compresso.data.Dataset;
import dev.compresso.data.SyntheticShapes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchPrefetchTest {

  private static final Dataset DATA = SyntheticShapes.generate(10, 16, 3);

  @Test
  void yieldsTheWrappedStreamsBatchesInOrder() {
    List<Dataset.Batch> direct = new ArrayList<>();
    DATA.stream(3, new Random(5), false).forEachRemaining(direct::add);
    List<Dataset.Batch> prefetched = new ArrayList<>();
    try (BatchStream s = new BatchPrefetch(DATA.stream(3, new Random(5), false))) {
      s.forEachRemaining(prefetched::add);
      assertFalse(s.hasNext());
    }
    assertEquals(4, direct.size());
    assertEquals(direct.size(), prefetched.size());
    for (int i = 0; i < direct.size(); i++) {
      assertArrayEquals(direct.get(i).x(), prefetched.get(i).x());
      assertArrayEquals(direct.get(i).y(), prefetched.get(i).y());
    }
  }

  @Test
  void aFailureReachesTheCallerAtItsBatch() {
    BadInputException bad = new BadInputException("record 2 of x.tfrecord is truncated");
    AtomicInteger made = new AtomicInteger();
    Iterator<Dataset.Batch> batches = DATA.stream(2, null, false);
    BatchStream failing = BatchStream.of(new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Dataset.Batch next() {
        if (made.getAndIncrement() == 2) {
          throw bad;
        }
        return batches.next();
      }
    });
    try (BatchStream s = new BatchPrefetch(failing)) {
      s.next();
      s.next();
      assertSame(bad, assertThrows(BadInputException.class, s::next));
      assertFalse(s.hasNext());
    }
  }

  @Test
  void closingEarlyStopsTheThreadAndClosesTheSource() {
    AtomicBoolean sourceClosed = new AtomicBoolean();
    AtomicInteger made = new AtomicInteger();
    Iterator<Dataset.Batch> endless = new Iterator<>() {
      private final Dataset.Batch one = DATA.stream(2, null, false).next();

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Dataset.Batch next() {
        made.incrementAndGet();
        return one;
      }
    };
    BatchStream source = new BatchStream() {
      @Override
      public boolean hasNext() {
        return endless.hasNext();
      }

      @Override
      public Dataset.Batch next() {
        return endless.next();
      }

      @Override
      public void close() {
        sourceClosed.set(true);
      }
    };
    BatchPrefetch s = new BatchPrefetch(source);
    assertTrue(s.hasNext());
    s.next();
    s.close();
    assertTrue(sourceClosed.get());
    int after = made.get();
    assertTrue(after <= 1 + 1 + BatchPrefetch.AHEAD + 1, "made " + after + " batches for one taken");
    assertEquals(after, made.get());
  }
}
