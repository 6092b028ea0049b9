package dev.compresso.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The streaming source on a store held in arrays (so the order logic is tested without files): every
 * sample exactly once per pass, order a pure function of the Random, never more than the buffer read
 * ahead, the in-memory order when the buffer covers the set, and splits that are disjoint, complete and
 * deterministic.
 */
class StreamedSourceTest {

  /** Sample i has x = {i, 1000 - i} and y = {i * 10}; shards of the given sizes; counts what was decoded. */
  static final class ArrayStore implements SampleStore {
    final int[] shards;
    int decoded;
    int openCursors;
    int maxReadAhead;

    ArrayStore(int... shards) {
      this.shards = shards;
    }

    @Override
    public String source() {
      return "array-store";
    }

    @Override
    public long[] inputShape() {
      return new long[] {2};
    }

    @Override
    public long[] targetShape() {
      return new long[] {1};
    }

    @Override
    public int shardCount() {
      return shards.length;
    }

    @Override
    public int shardSize(int shard) {
      return shards[shard];
    }

    @Override
    public Cursor open(int shard) {
      int base = 0;
      for (int s = 0; s < shard; s++) {
        base += shards[s];
      }
      int first = base;
      openCursors++;
      return new Cursor() {
        int next = first;

        @Override
        public void read(float[] x, float[] y) {
          x[0] = next;
          x[1] = 1000 - next;
          y[0] = next * 10f;
          next++;
          decoded++;
        }

        @Override
        public void skip() {
          next++;
        }

        @Override
        public void close() {
          openCursors--;
        }
      };
    }

    @Override
    public void digest(MessageDigest sha) {
      sha.update((byte) shards.length);
    }

    Dataset inMemory() {
      int n = 0;
      for (int s : shards) {
        n += s;
      }
      float[] x = new float[2 * n];
      float[] y = new float[n];
      for (int i = 0; i < n; i++) {
        x[2 * i] = i;
        x[2 * i + 1] = 1000 - i;
        y[i] = i * 10f;
      }
      return Dataset.of("array-store", x, new long[] {2}, y, new long[] {1}, n);
    }
  }

  private static List<Integer> order(SampleSource s, int batch, Random rng, boolean dropLast) {
    List<Integer> out = new ArrayList<>();
    try (BatchStream b = s.stream(batch, rng, dropLast)) {
      while (b.hasNext()) {
        Dataset.Batch batchOf = b.next();
        for (int i = 0; i < batchOf.size(); i++) {
          assertEquals(1000 - batchOf.x()[2 * i], batchOf.x()[2 * i + 1], "x and y stay together");
          assertEquals(batchOf.x()[2 * i] * 10f, batchOf.y()[i], "x and y stay together");
          out.add((int) batchOf.x()[2 * i]);
        }
      }
    }
    return out;
  }

  @Test
  void aPassYieldsEverySampleOnceInAnOrderFixedByTheRandom() {
    ArrayStore store = new ArrayStore(30, 25, 45);
    StreamedSource s = StreamedSource.of(store, 16);
    List<Integer> a = order(s, 7, new Random(5), false);
    List<Integer> b = order(s, 7, new Random(5), false);
    List<Integer> c = order(s, 7, new Random(6), false);
    assertEquals(100, a.size());
    assertEquals(100, new HashSet<>(a).size());
    assertEquals(a, b, "same Random, same order");
    assertNotEquals(a, c, "another Random, another order");
    assertNotEquals(order(s, 7, null, false), a, "shuffled");
    assertEquals(0, store.openCursors, "every shard closed");
    assertEquals(98, order(s, 7, new Random(5), true).size(), "dropLast drops the partial batch");
    assertEquals(a.subList(0, 98), order(s, 7, new Random(5), true));
  }

  @Test
  void orderIsLocalToTheBuffer() {
    ArrayStore store = new ArrayStore(1000);
    List<Integer> a = order(StreamedSource.of(store, 10), 1, new Random(1), false);
    for (int i = 0; i < a.size(); i++) {
      // a sample can only leave the buffer after it was read, and the buffer holds 10
      assertTrue(a.get(i) < i + 10, "sample " + a.get(i) + " emitted at " + i);
    }
  }

  @Test
  void aBufferCoveringTheSetShufflesExactlyAsInMemory() {
    ArrayStore store = new ArrayStore(13, 27);
    StreamedSource s = StreamedSource.of(store, 40);
    Dataset d = store.inMemory();
    for (long seed : new long[] {1, 2, 3}) {
      assertEquals(order(d, 8, new Random(seed), true), order(s, 8, new Random(seed), true));
    }
    assertEquals(order(d, 8, null, false), order(s, 8, null, false));
  }

  @Test
  void splitsAreDisjointCompleteDeterministicAndReadNothing() {
    ArrayStore store = new ArrayStore(400, 600);
    StreamedSource s = StreamedSource.of(store, 64);
    SampleSource.Split trainRest = s.partition(0.2, 42);
    SampleSource.Split valTest = trainRest.test().partition(0.5, 43);
    assertEquals(0, store.decoded, "splitting reads no record");
    Set<Integer> train = new HashSet<>(order(trainRest.train(), 16, null, false));
    Set<Integer> val = new HashSet<>(order(valTest.train(), 16, null, false));
    Set<Integer> test = new HashSet<>(order(valTest.test(), 16, null, false));
    assertEquals(trainRest.train().size(), train.size());
    assertEquals(1000, train.size() + val.size() + test.size());
    Set<Integer> all = new HashSet<>(train);
    all.addAll(val);
    all.addAll(test);
    assertEquals(1000, all.size(), "disjoint and complete");
    assertTrue(Math.abs(train.size() - 800) < 60, "about 80%: " + train.size());
    assertEquals(train, new HashSet<>(order(s.partition(0.2, 42).train(), 16, null, false)), "deterministic");
    assertNotEquals(train, new HashSet<>(order(s.partition(0.2, 7).train(), 16, null, false)), "seeded");
    SampleSource.Split tiny = StreamedSource.of(new ArrayStore(3), 8).partition(0.1, 1);
    assertEquals(1, tiny.test().size(), "a positive fraction leaves at least one test sample");
    assertEquals(2, tiny.train().size());
  }

  @Test
  void headReadsOnlyWhatItReturns() {
    ArrayStore store = new ArrayStore(50, 50);
    Dataset h = StreamedSource.of(store, 8).head(5);
    assertArrayEquals(new float[] {0, 10, 20, 30, 40}, h.targets());
    assertEquals(5, store.decoded);
    assertEquals(0, store.openCursors);
  }
}
