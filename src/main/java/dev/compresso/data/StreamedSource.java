package dev.compresso.data;

import dev.compresso.BadInputException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * A {@link SampleSource} that streams a {@link SampleStore} from disk: memory is one batch plus a shuffle
 * buffer of at most {@link #bufferSamples()} samples, whatever the size of the set.
 *
 * <p>Order of a shuffled pass: when the (split) set fits in the buffer it is read whole and shuffled
 * exactly as a {@link Dataset} of the same samples in storage order shuffles them, so streamed and
 * in-memory training on such a set take the same steps. Otherwise the shards are visited in an order drawn
 * from the pass's {@link Random}, and samples pass through a buffer from which each next sample is drawn
 * at random (the TensorFlow {@code Dataset.shuffle} scheme), the replacement read in its place. Both are
 * a function of the {@code Random} alone, so a trainer that seeds it by (seed, epoch) stays resumable.
 *
 * <p>Splits never copy data: a split is a membership rule on the samples' global indices (a 64-bit hash
 * of split seed and index against the fraction), so the parts are deterministic, disjoint, and known
 * without reading a record; a split that would leave the test part empty moves the one sample with the
 * smallest hash there.
 */
public final class StreamedSource implements SampleSource {

  /** Default shuffle buffer: as many samples as fit in this many bytes of float32 values. */
  public static final long BUFFER_BYTES_DEFAULT = 64L << 20;

  private final SampleStore store;
  private final List<Filter> filters;
  private final int bufferSamples;
  private final int size;
  private final int xPer;
  private final int yPer;

  /** One split decision: keep the test part ({@code test}) or the rest of a split by {@code seed}. */
  private record Filter(long seed, double fraction, boolean test, long forced) {
    boolean keeps(long index) {
      boolean inTest = unit(seed, index) < fraction || index == forced;
      return inTest == test;
    }
  }

  private StreamedSource(SampleStore store, List<Filter> filters, int bufferSamples) {
    this.store = store;
    this.filters = List.copyOf(filters);
    this.xPer = Math.toIntExact(Dataset.elements(store.inputShape()));
    this.yPer = Math.toIntExact(Dataset.elements(store.targetShape()));
    this.bufferSamples = bufferSamples > 0 ? bufferSamples
        : (int) Math.max(1, Math.min(Integer.MAX_VALUE, BUFFER_BYTES_DEFAULT / (4L * (xPer + yPer))));
    long n = 0;
    long total = total();
    for (long i = 0; i < total; i++) {
      if (member(i)) {
        n++;
      }
    }
    this.size = Math.toIntExact(n);
  }

  /**
   * Streams all of {@code store}.
   *
   * @param bufferSamples the shuffle buffer in samples; 0 for the default ({@link #BUFFER_BYTES_DEFAULT})
   */
  public static StreamedSource of(SampleStore store, int bufferSamples) {
    if (bufferSamples < 0) {
      throw new BadInputException(store.source() + ": shuffle buffer must be >= 1 sample, got " + bufferSamples);
    }
    return new StreamedSource(store, List.of(), bufferSamples);
  }

  /** The shuffle buffer's capacity in samples. */
  public int bufferSamples() {
    return bufferSamples;
  }

  private long total() {
    long t = 0;
    for (int s = 0; s < store.shardCount(); s++) {
      t += store.shardSize(s);
    }
    return t;
  }

  private boolean member(long index) {
    for (Filter f : filters) {
      if (!f.keeps(index)) {
        return false;
      }
    }
    return true;
  }

  /** A uniform value in [0, 1) from seed and index (MurmurHash3's 64-bit finalizer). */
  static double unit(long seed, long index) {
    long h = seed * 0x9E3779B97F4A7C15L + index;
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53;
  }

  @Override
  public String source() {
    return store.source();
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public long[] inputShape() {
    return store.inputShape();
  }

  @Override
  public long[] targetShape() {
    return store.targetShape();
  }

  @Override
  public List<String> classNames() {
    return List.of();
  }

  @Override
  public Split partition(double testFraction, long seed) {
    if (!(testFraction >= 0 && testFraction < 1)) {
      throw new BadInputException("test fraction must be in [0, 1), got " + testFraction);
    }
    long total = total();
    boolean anyTest = false;
    long smallest = -1;
    double smallestU = 2;
    for (long i = 0; i < total && !anyTest; i++) {
      if (member(i)) {
        double u = unit(seed, i);
        anyTest = u < testFraction;
        if (u < smallestU) {
          smallestU = u;
          smallest = i;
        }
      }
    }
    long forced = testFraction > 0 && !anyTest && size > 1 ? smallest : -1;
    List<Filter> train = new ArrayList<>(filters);
    train.add(new Filter(seed, testFraction, false, forced));
    List<Filter> test = new ArrayList<>(filters);
    test.add(new Filter(seed, testFraction, true, forced));
    return new Split(new StreamedSource(store, train, bufferSamples), new StreamedSource(store, test, bufferSamples));
  }

  @Override
  public Dataset head(int n) {
    int count = Math.max(0, Math.min(n, size));
    float[] x = new float[Math.multiplyExact(count, xPer)];
    float[] y = new float[Math.multiplyExact(count, yPer)];
    try (Samples samples = new Samples(null)) {
      for (int i = 0; i < count; i++) {
        Sample s = samples.next();
        System.arraycopy(s.x, 0, x, i * xPer, xPer);
        System.arraycopy(s.y, 0, y, i * yPer, yPer);
      }
    }
    return Dataset.of(source(), x, inputShape(), y, targetShape(), count);
  }

  @Override
  public void digest(MessageDigest sha) {
    store.digest(sha);
    ByteBuffer b = ByteBuffer.allocate(8 + 8 + filters.size() * 25);
    b.putLong(size).putLong(bufferSamples);
    for (Filter f : filters) {
      b.putLong(f.seed()).putDouble(f.fraction()).put((byte) (f.test() ? 1 : 0)).putLong(f.forced());
    }
    sha.update(b.array());
  }

  @Override
  public BatchStream stream(int batchSize, Random rng, boolean dropLast) {
    if (batchSize <= 0) {
      throw new BadInputException("batch size must be positive, got " + batchSize);
    }
    if (rng != null && size <= bufferSamples) {
      return BatchStream.of(head(size).batches(batchSize, rng, dropLast).iterator());
    }
    return new Batches(new Samples(rng), batchSize, batchCount(batchSize, dropLast));
  }

  private record Sample(float[] x, float[] y) {}

  /** The member samples of one pass: in storage order, or shard order and a shuffle buffer from {@code rng}. */
  private final class Samples implements AutoCloseable {
    private final Random rng;
    private final int[] shardOrder;
    private int shardAt = -1;
    private long shardBase;
    private int inShard;
    private SampleStore.Cursor cursor;
    private final List<Sample> buffer = new ArrayList<>();
    private long[] bases;

    Samples(Random rng) {
      this.rng = rng;
      int shards = store.shardCount();
      shardOrder = new int[shards];
      for (int i = 0; i < shards; i++) {
        shardOrder[i] = i;
      }
      if (rng != null) {
        for (int i = shards - 1; i > 0; i--) {
          int j = rng.nextInt(i + 1);
          int t = shardOrder[i];
          shardOrder[i] = shardOrder[j];
          shardOrder[j] = t;
        }
      }
      bases = new long[shards];
      for (int s = 1; s < shards; s++) {
        bases[s] = bases[s - 1] + store.shardSize(s - 1);
      }
    }

    /** The next member sample read from disk in this pass's shard order, or null at the end. */
    private Sample read() {
      while (true) {
        if (cursor != null && inShard == store.shardSize(shardOrder[shardAt])) {
          cursor.close();
          cursor = null;
        }
        if (cursor == null) {
          if (shardAt + 1 >= shardOrder.length) {
            return null;
          }
          shardAt++;
          shardBase = bases[shardOrder[shardAt]];
          inShard = 0;
          cursor = store.open(shardOrder[shardAt]);
          continue;
        }
        long index = shardBase + inShard++;
        if (member(index)) {
          Sample s = new Sample(new float[xPer], new float[yPer]);
          cursor.read(s.x, s.y);
          return s;
        }
        cursor.skip();
      }
    }

    Sample next() {
      if (rng == null) {
        Sample s = read();
        if (s == null) {
          throw new NoSuchElementException();
        }
        return s;
      }
      while (buffer.size() < bufferSamples) {
        Sample s = read();
        if (s == null) {
          break;
        }
        buffer.add(s);
      }
      if (buffer.isEmpty()) {
        throw new NoSuchElementException();
      }
      int j = rng.nextInt(buffer.size());
      Sample picked = buffer.get(j);
      Sample last = buffer.remove(buffer.size() - 1);
      if (j < buffer.size()) {
        buffer.set(j, last);
      }
      return picked;
    }

    @Override
    public void close() {
      if (cursor != null) {
        cursor.close();
        cursor = null;
      }
      buffer.clear();
    }
  }

  private final class Batches implements BatchStream {
    private final Samples samples;
    private final int batchSize;
    private final int count;
    private int emitted;
    private int samplesLeft = size;

    Batches(Samples samples, int batchSize, int count) {
      this.samples = samples;
      this.batchSize = batchSize;
      this.count = count;
    }

    @Override
    public boolean hasNext() {
      return emitted < count;
    }

    @Override
    public Dataset.Batch next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int n = Math.min(batchSize, samplesLeft);
      float[] bx = new float[n * xPer];
      float[] by = new float[n * yPer];
      for (int i = 0; i < n; i++) {
        Sample s = samples.next();
        System.arraycopy(s.x, 0, bx, i * xPer, xPer);
        System.arraycopy(s.y, 0, by, i * yPer, yPer);
      }
      samplesLeft -= n;
      emitted++;
      if (emitted == count) {
        samples.close();
      }
      return new Dataset.Batch(bx, by, n, inputShape(), targetShape());
    }

    @Override
    public void close() {
      samples.close();
    }
  }

  @Override
  public String toString() {
    return String.format("%s: %d samples streamed, x %s, y %s, shuffle buffer %d", source(), size,
        Arrays.toString(inputShape()), Arrays.toString(targetShape()), bufferSamples);
  }
}
