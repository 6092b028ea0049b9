package dev.compresso.quant;

import dev.compresso.BadInputException;
import dev.compresso.data.InputFeeds;
import dev.compresso.data.SampleSource;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.compresso.model.FrozenGraph;
import java.util.Arrays;
import org.tensorflow.proto.DataType;

/** Checks that calibration data fits a frozen graph's inputs (float32, or uint8 for an image model that casts). */
final class CalibrationData {

  private CalibrationData() {}

  /** Each input's key and shape (batch first), as {@link InputFeeds#read} takes them. */
  static Map<String, long[]> shapes(FrozenGraph graph) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (FrozenGraph.Input in : graph.inputs()) {
      out.put(in.key(), in.shape());
    }
    return out;
  }

  /**
   * Checks that {@code feeds} feed every input of {@code graph}: a float32 or uint8 input with static
   * dimensions besides the batch, whose feed's sample shape fits, and at least one sample.
   */
  static void check(FrozenGraph graph, InputFeeds feeds) {
    for (FrozenGraph.Input input : graph.inputs()) {
      checkType(input);
      InputFeeds.Feed feed = feeds.feed(input.key());
      checkShape(input, feed.sampleShape(), feeds.source());
    }
    if (feeds.size() == 0) {
      throw new BadInputException(feeds.source() + ": no calibration samples");
    }
  }

  /**
   * The graph's input, after checking the data fits it: one float32 input whose shape without the batch
   * dimension equals the samples' shape (unknown dimensions match anything), and at least one sample.
   */
  static FrozenGraph.Input check(FrozenGraph graph, SampleSource data) {
    if (graph.inputs().size() != 1) {
      throw new BadInputException(data.source() + ": signature '" + graph.signature() + "' has inputs "
          + String.join(", ", shapes(graph).keySet()) + "; " + data.source() + " holds one input per sample: give a "
          + ".npz with one array per input, named by its key");
    }
    FrozenGraph.Input input = graph.inputs().get(0);
    checkType(input);
    checkShape(input, data.inputShape(), data.source());
    if (data.size() == 0) {
      throw new BadInputException(data.source() + ": no calibration samples");
    }
    return input;
  }

  private static void checkType(FrozenGraph.Input input) {
    if (input.dtype() != DataType.DT_FLOAT && input.dtype() != DataType.DT_UINT8) {
      throw new BadInputException("calibration feeds float32 or uint8 (an image model that casts its input), but "
          + "input '" + input.key() + "' is " + input.dtype());
    }
  }

  private static void checkShape(FrozenGraph.Input input, long[] got, String source) {
    long[] want = input.shape();
    boolean fits = want.length == got.length + 1;
    for (int i = 0; fits && i < got.length; i++) {
      fits = want[i + 1] < 0 || want[i + 1] == got[i];
    }
    if (!fits) {
      throw new BadInputException(source + ": calibration samples have shape " + Arrays.toString(got)
          + ", but input '" + input.key() + "' takes " + Arrays.toString(Arrays.copyOfRange(want, 1, want.length))
          + " per sample (shape " + Arrays.toString(want) + " with the batch)");
    }
    for (int i = 1; i < want.length; i++) {
      if (want[i] < 0) {
        throw new BadInputException("input '" + input.key() + "' has unknown dimension " + i + " "
            + Arrays.toString(want) + "; full-integer conversion needs static shapes");
      }
    }
  }
}
