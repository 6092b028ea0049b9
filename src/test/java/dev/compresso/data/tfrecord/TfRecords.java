package dev.compresso.data.tfrecord;

import com.google.protobuf.ByteString;
import dev.compresso.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/** Makes TFRecord files of {@code tf.train.Example}s for tests, with the product's own writer. */
public final class TfRecords {

  private TfRecords() {}

  public static Feature floats(float[] values, int from, int count) {
    FloatList.Builder b = FloatList.newBuilder();
    for (int i = from; i < from + count; i++) {
      b.addValue(values[i]);
    }
    return Feature.newBuilder().setFloatList(b).build();
  }

  public static Feature int64s(long... values) {
    Int64List.Builder b = Int64List.newBuilder();
    for (long v : values) {
      b.addValue(v);
    }
    return Feature.newBuilder().setInt64List(b).build();
  }

  public static Feature bytes(byte[] value) {
    return Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(ByteString.copyFrom(value))).build();
  }

  public static byte[] example(Map<String, Feature> features) {
    return Example.newBuilder().setFeatures(Features.newBuilder().putAllFeature(features)).build().toByteArray();
  }

  /** Writes {@code records} to {@code file}, gzip-compressed when its name ends in .gz. */
  public static Path write(Path file, List<byte[]> records) throws IOException {
    try (TfRecordWriter w = TfRecordWriter.open(file, file.getFileName().toString().endsWith(".gz"))) {
      for (byte[] r : records) {
        w.write(r);
      }
    }
    return file;
  }

  /**
   * Samples {@code [from, to)} of {@code data} as records with float_list features {@code xName} and
   * {@code yName} and their shapes in {@code NAME/shape}.
   */
  public static List<byte[]> records(Dataset data, int from, int to, String xName, String yName) {
    return records(data, from, to, xName, yName, true);
  }

  /** As {@link #records(Dataset, int, int, String, String)}, with the shape features only if {@code withShapes}. */
  public static List<byte[]> records(Dataset data, int from, int to, String xName, String yName, boolean withShapes) {
    int xPer = (int) Dataset.elements(data.inputShape());
    int yPer = (int) Dataset.elements(data.targetShape());
    List<byte[]> out = new java.util.ArrayList<>();
    for (int i = from; i < to; i++) {
      Map<String, Feature> f = new LinkedHashMap<>();
      f.put(xName, floats(data.inputs(), i * xPer, xPer));
      if (withShapes) {
        f.put(xName + "/shape", int64s(data.inputShape()));
        f.put(yName + "/shape", int64s(data.targetShape()));
      }
      f.put(yName, floats(data.targets(), i * yPer, yPer));
      out.add(example(f));
    }
    return out;
  }

  /** All of {@code data} as one shard {@code file} with features x and y. */
  public static Path write(Path file, Dataset data) throws IOException {
    return write(file, records(data, 0, data.size(), "x", "y"));
  }
}
