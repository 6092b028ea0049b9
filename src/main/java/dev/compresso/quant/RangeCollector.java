package dev.compresso.quant;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.data.Dataset;
import dev.compresso.data.InputFeeds;
import dev.compresso.model.FrozenGraph;
import dev.compresso.train.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Min;
import org.tensorflow.types.TFloat32;

/**
 * Runs a frozen float graph in TF Java over calibration samples, one at a time (the frozen input's batch
 * is fixed), and tracks the per-channel range of every named node's output 0. The per-channel minima and
 * maxima are reduced inside TF (a {@code Min}/{@code Max} over every axis but the last), so only small
 * vectors cross into Java.
 */
public final class RangeCollector {

  private RangeCollector() {}

  /**
   * Measures ranges.
   *
   * @param graph the frozen float graph, one input
   * @param nodes the nodes whose output 0 is tracked
   * @param data the samples; the first {@code samples} are used
   * @param samples how many samples to run
   * @param trackers makes one tracker per node
   * @return the tracker of each node, in {@code nodes} order
   * @throws BadInputException when the data does not fit the input, or a sample drives an activation to
   *     NaN or infinity (naming the sample and node)
   */
  public static Map<String, RangeTracker> collect(FrozenGraph graph, List<String> nodes, Dataset data,
      int samples, Supplier<RangeTracker> trackers) {
    FrozenGraph.Input input = CalibrationData.check(graph, data);
    return collect(graph, nodes, InputFeeds.of(data, input.key()), samples, trackers);
  }

  /**
   * Measures ranges, feeding every input of {@code graph} from its feed in {@code feeds}.
   *
   * @throws BadInputException as {@link #collect(FrozenGraph, List, Dataset, int, Supplier)}, naming the input
   */
  public static Map<String, RangeTracker> collect(FrozenGraph graph, List<String> nodes, InputFeeds feeds,
      int samples, Supplier<RangeTracker> trackers) {
    CalibrationData.check(graph, feeds);
    int n = Math.min(samples, feeds.size());
    Map<String, RangeTracker> out = new LinkedHashMap<>();
    for (String node : nodes) {
      out.put(node, trackers.get());
    }
    try (Graph g = new Graph()) {
      try {
        g.importGraphDef(graph.graphDef());
      } catch (IllegalArgumentException | TensorFlowException e) {
        throw new BadInputException("TensorFlow rejected the frozen graph: " + e.getMessage(), e);
      }
      Ops tf = Ops.create(g).withSubScope("compresso_calibration");
      List<Operand<TFloat32>> fetches = new ArrayList<>();
      for (String node : nodes) {
        Output<TFloat32> o = floatOutput(g, node);
        int rank = o.shape().numDimensions();
        Operand<TFloat32> x = rank >= 2 ? o : tf.reshape(o, tf.constant(new int[] {-1, 1}));
        int[] axes = new int[Math.max(rank, 2) - 1];
        for (int i = 0; i < axes.length; i++) {
          axes[i] = i;
        }
        if (rank < 0) {
          throw CompressoException.internal("the rank of " + node + " is unknown after freezing", null);
        }
        fetches.add(tf.min(x, tf.constant(axes), Min.keepDims(false)));
        fetches.add(tf.max(x, tf.constant(axes), Max.keepDims(false)));
      }
      try (Session s = new Session(g)) {
        for (int i = 0; i < n; i++) {
          Session.Runner runner = s.runner();
          List<org.tensorflow.Tensor> fed = new ArrayList<>();
          try {
            for (FrozenGraph.Input input : graph.inputs()) {
              float[] sample = feeds.sample(input.key(), i);
              checkFinite(feeds.source(), input.key(), sample, i);
              long[] shape = input.shape();
              shape[0] = 1;
              org.tensorflow.Tensor t = Tensors.ofType(input.dtype(), sample, shape);
              fed.add(t);
              runner.feed(input.node(), t);
            }
            for (Operand<TFloat32> f : fetches) {
              runner.fetch(f);
            }
            try (Result r = runner.run()) {
              for (int k = 0; k < nodes.size(); k++) {
                float[] min = Tensors.read(r.get(2 * k));
                float[] max = Tensors.read(r.get(2 * k + 1));
                try {
                  out.get(nodes.get(k)).update(min, max);
                } catch (IllegalArgumentException e) {
                  throw new BadInputException(feeds.source() + ": calibration sample " + i + " drives "
                      + nodes.get(k) + " to a non-finite value (" + e.getMessage() + ")", e);
                }
              }
            }
          } catch (TensorFlowException e) {
            throw new BadInputException(feeds.source() + ": the float model failed on calibration sample " + i
                + ": " + e.getMessage(), e);
          } finally {
            fed.forEach(org.tensorflow.Tensor::close);
          }
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Output<TFloat32> floatOutput(Graph g, String node) {
    Output<?> o = g.output(node + ":0");
    if (o == null) {
      throw CompressoException.internal("planned node " + node + " is not in the imported graph", null);
    }
    if (o.type() != TFloat32.class) {
      throw CompressoException.internal("planned node " + node + " does not output float32", null);
    }
    return (Output<TFloat32>) o;
  }

  private static void checkFinite(String source, String key, float[] sample, int index) {
    for (int j = 0; j < sample.length; j++) {
      if (!Float.isFinite(sample[j])) {
        throw new BadInputException(source + ": calibration sample " + index + " has " + sample[j]
            + " at element " + j + "; calibration data must be finite");
      }
    }
  }
}
