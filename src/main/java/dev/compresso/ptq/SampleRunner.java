package dev.compresso.ptq;

import dev.compresso.BadInputException;
import dev.compresso.data.Dataset;
import dev.compresso.model.FrozenGraph;
import dev.compresso.train.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Runs the first calibration samples one at a time (the frozen input's batch is 1) through a session of a
 * graph holding the frozen graph, fetching {@code fetches} and handing each result to a callback.
 */
final class SampleRunner {

  private SampleRunner() {}

  static void run(Session session, FrozenGraph graph, Dataset data, int samples, List<? extends Operand<?>> fetches,
      BiConsumer<Integer, Result> each) {
    FrozenGraph.Input input = graph.inputs().get(0);
    long[] shape = input.shape();
    shape[0] = 1;
    int per = (int) Dataset.elements(data.inputShape());
    float[] all = data.inputs();
    int n = Math.min(samples, data.size());
    for (int i = 0; i < n; i++) {
      float[] sample = Arrays.copyOfRange(all, i * per, (i + 1) * per);
      Session.Runner runner = session.runner();
      try (org.tensorflow.Tensor feed = Tensors.ofType(input.dtype(), sample, shape)) {
        runner.feed(input.node(), feed);
        for (Operand<?> f : fetches) {
          runner.fetch(f);
        }
        try (Result r = runner.run()) {
          each.accept(i, r);
        }
      } catch (TensorFlowException e) {
        throw new BadInputException(data.source() + ": the float model failed on calibration sample " + i + ": "
            + e.getMessage(), e);
      }
    }
  }
}
