package dev.compresso.bench;

import dev.compresso.validate.ChildJvm;
import dev.compresso.validate.ProcessMemory;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.data.BatchStream;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import dev.compresso.data.StreamedSource;
import dev.compresso.data.SyntheticShapes;
import dev.compresso.data.tfrecord.TfRecordSet;
import dev.compresso.data.tfrecord.TfRecordSpec;
import dev.compresso.data.tfrecord.TfRecordWriter;
import dev.compresso.io.AtomicOutput;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import dev.compresso.model.ModelSession;
import dev.compresso.report.ConsoleProgress;
import dev.compresso.train.Adam;
import dev.compresso.train.FitConfig;
import dev.compresso.train.Trainer;
import dev.compresso.train.loss.FocalTversky;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * Fine-tuning from a TFRecord set larger than the heap, printed as one JSON document on stdout.
 *
 * <p>The parent writes {@code --records} (default 16,000) {@code tf.train.Example}s of 128x128x1 float
 * images and masks (500 synthetic shapes, each record's rolled by its own offset; ~131 KB a record:
 * ~2.1 GB) into {@code --shards} plain shards in a temporary folder, then runs a child JVM capped at {@code -Xmx512m} that
 *
 * <ol>
 *   <li>opens the folder as {@code DATA} (the record count scan) and splits it 80/10/10 as {@code prune} and
 *       {@code qat} do (hashes of record indices; nothing read);
 *   <li>fine-tunes the bundled UNet ({@code savedmodels/unet}, focal-Tversky, Adam 1e-3, batch 8) for one
 *       epoch over a {@code --steps}-batch share of the training split with the shared {@link Trainer},
 *       streamed through the default shuffle buffer, with a validation share streamed after it;
 *   <li>streams one shuffled pass over the whole set (every record read, CRC-checked and decoded, through
 *       the same shuffle buffer, order as epoch 1 of training would draw it) without training, for read
 *       speed.
 * </ol>
 * The child reports the JVM's heap limit and peak heap use, its peak RSS ({@code VmHWM}, TensorFlow's
 * native memory included), samples per second of training and of the full pass, and records and bytes read.
 * The folder is deleted afterwards.
 *
 * <p>{@code java -cp target/compresso-0.1.0-SNAPSHOT.jar dev.compresso.bench.StreamingBenchmark [--records N]
 * [--shards S] [--steps K] [--heap 512m] [--dir PARENT]}
 */
public final class StreamingBenchmark {

  public static final int RECORDS_DEFAULT = 16_000;
  public static final int SHARDS_DEFAULT = 8;
  public static final int STEPS_DEFAULT = 100;
  public static final String HEAP_DEFAULT = "512m";
  public static final int SIZE = 128;
  private static final int BATCH = 8;
  private static final long SEED = 42;

  private StreamingBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(Path.of(args[1]), Integer.parseInt(args[2]));
      return;
    }
    int records = RECORDS_DEFAULT;
    int shards = SHARDS_DEFAULT;
    int steps = STEPS_DEFAULT;
    String heap = HEAP_DEFAULT;
    Path parent = Path.of(System.getProperty("java.io.tmpdir"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--records" -> records = Integer.parseInt(args[i + 1]);
        case "--shards" -> shards = Integer.parseInt(args[i + 1]);
        case "--steps" -> steps = Integer.parseInt(args[i + 1]);
        case "--heap" -> heap = args[i + 1];
        case "--dir" -> parent = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; accepted: --records N --shards S --steps K --heap SIZE --dir PARENT");
      }
    }
    Path dir = Files.createTempDirectory(parent, "compresso-streaming-");
    try {
      long t0 = System.nanoTime();
      long bytes = generate(dir, records, shards);
      double generateSeconds = (System.nanoTime() - t0) / 1e9;
      System.err.printf("wrote %,d records (%,d bytes) in %d shards to %s in %.1f s%n", records, bytes, shards, dir,
          generateSeconds);
      ChildJvm.Outcome o = ChildJvm.run("the streaming fine-tune", List.of("-Xmx" + heap),
          StreamingBenchmark.class.getName(), List.of("--child", dir.toString(), String.valueOf(steps)), 3600,
          System.err::println);
      if (o.exit() != 0) {
        throw new IllegalStateException("the child JVM failed (exit " + o.exit() + ChildJvm.signal(o.exit()) + "): "
            + ChildJvm.lastLines(o.stderr(), 5));
      }
      JsonObject result = JsonParser.parseString(o.stdout().strip()).getAsJsonObject();
      JsonObject data = new JsonObject();
      data.addProperty("records", records);
      data.addProperty("shards", shards);
      data.addProperty("bytesOnDisk", bytes);
      data.addProperty("recordShape", SIZE + "x" + SIZE + "x1 float image + mask (float_list)");
      data.addProperty("distinctSyntheticPairs", Math.min(POOL, records));
      data.addProperty("generateSeconds", round(generateSeconds));
      result.add("data", data);
      result.addProperty("childHeapOption", "-Xmx" + heap);
      System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(result));
    } finally {
      AtomicOutput.deleteTree(dir);
      System.err.println("deleted " + dir);
    }
  }

  /**
   * Writes the records straight into shards; returns the bytes written. Samples come from a pool of
   * {@link #POOL} synthetic images and masks, each record's pair rolled by its own offset so every record
   * differs; the Example bytes are a template serialized once by the proto classes, with each record's
   * floats written into it.
   */
  static long generate(Path dir, int records, int shards) throws IOException {
    Dataset pool = SyntheticShapes.generate(Math.min(POOL, records), SIZE, 1000);
    int per = SIZE * SIZE;
    byte[] template = example(fill(per, X_MARK), fill(per, Y_MARK));
    int xAt = find(template, X_MARK, per);
    int yAt = find(template, Y_MARK, per);
    int perShard = (records + shards - 1) / shards;
    int written = 0;
    float[] x = new float[per];
    float[] y = new float[per];
    for (int s = 0; s < shards && written < records; s++) {
      Path file = dir.resolve(String.format("train-%05d-of-%05d.tfrecord", s, shards));
      try (TfRecordWriter w = TfRecordWriter.open(file, false)) {
        int end = Math.min(records, written + perShard);
        for (; written < end; written++) {
          int src = written % pool.size();
          int shift = written / pool.size();
          roll(pool.inputs(), src * per, x, shift);
          roll(pool.targets(), src * per, y, shift);
          byte[] record = template.clone();
          ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
          for (int k = 0; k < per; k++) {
            b.putFloat(xAt + 4 * k, x[k]);
            b.putFloat(yAt + 4 * k, y[k]);
          }
          w.write(record);
        }
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      long total = 0;
      for (Path f : files.toList()) {
        total += Files.size(f);
      }
      return total;
    }
  }

  private static final int POOL = 500;
  private static final float X_MARK = 1234.5f;
  private static final float Y_MARK = -6789.25f;

  private static float[] fill(int n, float v) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  /** Offset of the run of {@code n} little-endian copies of {@code mark}. */
  private static int find(byte[] bytes, float mark, int n) {
    int bits = Float.floatToRawIntBits(mark);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i + 4 * n <= bytes.length; i++) {
      if (b.getInt(i) == bits && b.getInt(i + 4 * (n - 1)) == bits) {
        return i;
      }
    }
    throw new IllegalStateException("template without the marked floats");
  }

  /** Image {@code from} of {@code src} rolled right and down by {@code shift} pixels into {@code into}. */
  private static void roll(float[] src, int from, float[] into, int shift) {
    for (int r = 0; r < SIZE; r++) {
      int rr = (r + shift) % SIZE;
      for (int c = 0; c < SIZE; c++) {
        into[rr * SIZE + (c + shift) % SIZE] = src[from + r * SIZE + c];
      }
    }
  }

  private static byte[] example(float[] xs, float[] ys) {
    FloatList.Builder x = FloatList.newBuilder();
    FloatList.Builder y = FloatList.newBuilder();
    for (int k = 0; k < xs.length; k++) {
      x.addValue(xs[k]);
      y.addValue(ys[k]);
    }
    Feature shape = Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(SIZE).addValue(SIZE).addValue(1))
        .build();
    return Example.newBuilder().setFeatures(Features.newBuilder()
        .putFeature("image", Feature.newBuilder().setFloatList(x).build()).putFeature("image/shape", shape)
        .putFeature("mask", Feature.newBuilder().setFloatList(y).build()).putFeature("mask/shape", shape))
        .build().toByteArray();
  }

  /** The measured part, in a JVM with a capped heap. */
  private static void child(Path dir, int steps) {
    JsonObject out = new JsonObject();
    long t0 = System.nanoTime();
    TfRecordSet set = TfRecordSet.open(TfRecordSpec.parse(dir.toString()));
    StreamedSource all = StreamedSource.of(set, 0);
    SampleSource.Split trainRest = all.partition(0.2, SEED);
    SampleSource.Split valTest = trainRest.test().partition(0.5, SEED + 1);
    double openSeconds = (System.nanoTime() - t0) / 1e9;
    SampleSource train = trainRest.train();
    SampleSource share = train.partition(Math.min(0.99, (double) steps * BATCH / train.size()), 7).test();
    SampleSource validation = valTest.train();
    SampleSource valShare = validation.partition(Math.min(0.99, 200.0 / validation.size()), 8).test();
    out.addProperty("openSeconds", round(openSeconds));
    out.addProperty("trainSplit", train.size());
    out.addProperty("validationSplit", validation.size());
    out.addProperty("testSplit", valTest.test().size());
    out.addProperty("shuffleBufferSamples", all.bufferSamples());

    ImportedModel model = ModelImporter.read(Path.of("savedmodels/unet"), "serve", "serving_default");
    JsonObject training = new JsonObject();
    try (ModelSession session = new ModelSession(model, model::isTrainable)) {
      Trainer trainer = new Trainer(session.trainable(), session.session(), new FocalTversky(), new Adam(1e-3f));
      long readBefore = set.recordsRead();
      long t1 = System.nanoTime();
      List<Trainer.EpochResult> h = trainer.fit(share, valShare,
          FitConfig.builder().optEpochs(1).optBatchSize(BATCH).optSeed(SEED).build(), ConsoleProgress.on(System.err));
      double seconds = (System.nanoTime() - t1) / 1e9;
      Trainer.EpochResult e = h.get(0);
      training.addProperty("model", "savedmodels/unet (" + model.parameterCount() + " parameters)");
      training.addProperty("trainSamples", share.size());
      training.addProperty("steps", e.steps());
      training.addProperty("batch", BATCH);
      training.addProperty("trainSeconds", round(e.seconds()));
      training.addProperty("trainSamplesPerSecond", round(e.steps() * BATCH / e.seconds()));
      training.addProperty("validationSamples", valShare.size());
      training.addProperty("secondsWithValidation", round(seconds));
      training.addProperty("trainLoss", e.trainLoss());
      training.addProperty("validationLoss", e.validationLoss());
      training.addProperty("recordsRead", set.recordsRead() - readBefore);
    }
    out.add("fineTune", training);

    long readBefore = set.recordsRead();
    long bytesBefore = set.bytesRead();
    long samples = 0;
    long t2 = System.nanoTime();
    try (BatchStream b = all.stream(64, Trainer.epochOrder(SEED, 1), false)) {
      while (b.hasNext()) {
        samples += b.next().size();
      }
    }
    double passSeconds = (System.nanoTime() - t2) / 1e9;
    JsonObject pass = new JsonObject();
    pass.addProperty("samples", samples);
    pass.addProperty("recordsRead", set.recordsRead() - readBefore);
    pass.addProperty("payloadBytesRead", set.bytesRead() - bytesBefore);
    pass.addProperty("seconds", round(passSeconds));
    pass.addProperty("samplesPerSecond", round(samples / passSeconds));
    pass.addProperty("megabytesPerSecond", round((set.bytesRead() - bytesBefore) / 1e6 / passSeconds));
    out.add("shuffledFullPass", pass);

    JsonObject memory = new JsonObject();
    memory.addProperty("heapMaxBytes", Runtime.getRuntime().maxMemory());
    memory.addProperty("heapPeakUsedBytes", peakHeapUsed());
    memory.addProperty("peakRssBytes", ProcessMemory.peakRssBytes());
    out.add("memory", memory);
    out.addProperty("totalRecordsRead", set.recordsRead());
    System.out.println(new Gson().toJson(out));
  }

  /** The sum of the heap pools' peak use (an upper bound on the peak of the heap as a whole). */
  private static long peakHeapUsed() {
    long sum = 0;
    List<MemoryPoolMXBean> pools = new ArrayList<>(ManagementFactory.getMemoryPoolMXBeans());
    for (MemoryPoolMXBean p : pools) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
