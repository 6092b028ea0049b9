package dev.compresso.prune;

import dev.compresso.BadInputException;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a mask removes at once, and how a unit is scored: a single weight by |w| ({@link Unstructured});
 * an RxC block of the weight viewed as a matrix by the mean |w| of the block ({@link Block}, as tfmot's
 * {@code block_size} with average pooling); a whole output filter by its L1 or L2 norm ({@link Channel},
 * Li et al., "Pruning Filters for Efficient ConvNets", 2017).
 *
 * <p>Units of one weight all have the same number of elements, so a unit sparsity is an element sparsity.
 */
public sealed interface Granularity permits Granularity.Unstructured, Granularity.Block, Granularity.Channel {

  /** The unit of each element, and the number of units: {@code groupOf[i]} in {@code [0, groups)}. */
  record Grouping(int groups, int[] groupOf) {}

  /** Groups the elements of {@code w}; a shape the granularity cannot divide is a {@link BadInputException}. */
  Grouping group(PrunableWeight w);

  /** One score per unit from the weight's values; lower scores are pruned first. */
  double[] scores(float[] values, Grouping g);

  /** The command-line spelling. */
  String spelling();

  /** Parses {@code unstructured}, {@code block:RxC}, {@code channel}, {@code channel:l1} or {@code channel:l2}. */
  static Granularity parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    if (t.equals("unstructured")) {
      return new Unstructured();
    }
    if (t.equals("channel") || t.equals("channel:l1")) {
      return new Channel(Channel.Norm.L1);
    }
    if (t.equals("channel:l2")) {
      return new Channel(Channel.Norm.L2);
    }
    if (t.startsWith("block:")) {
      String[] rc = t.substring(6).split("x");
      if (rc.length == 2) {
        try {
          return new Block(Integer.parseInt(rc[0]), Integer.parseInt(rc[1]));
        } catch (NumberFormatException e) {
          // fall through to the error below
        }
      }
    }
    throw new BadInputException("--granularity '" + s + "' is not one of unstructured, block:RxC (e.g. block:1x4), "
        + "channel, channel:l1, channel:l2");
  }

  /** One unit per weight, scored by |w|. */
  record Unstructured() implements Granularity {
    @Override
    public Grouping group(PrunableWeight w) {
      int[] g = new int[w.size()];
      Arrays.setAll(g, i -> i);
      return new Grouping(g.length, g);
    }

    @Override
    public double[] scores(float[] values, Grouping g) {
      double[] s = new double[values.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = Math.abs(values[i]);
      }
      return s;
    }

    @Override
    public String spelling() {
      return "unstructured";
    }
  }

  /**
   * Blocks of {@code rows x cols} of the weight viewed row-major as a matrix {@code [size / last, last]}
   * (the last axis as columns: output channels for Conv2D and MatMul), scored by mean |w|.
   */
  record Block(int rows, int cols) implements Granularity {
    public Block {
      if (rows <= 0 || cols <= 0) {
        throw new BadInputException("block shape must be positive, got " + rows + "x" + cols);
      }
    }

    @Override
    public Grouping group(PrunableWeight w) {
      long[] shape = w.shape();
      int last = (int) shape[shape.length - 1];
      int matrixRows = w.size() / last;
      if (matrixRows % rows != 0 || last % cols != 0) {
        throw new BadInputException(String.format("block %dx%d does not divide weight %s %s, viewed as a %dx%d "
            + "matrix; choose a block whose rows divide %d and columns divide %d, or --ignore %s", rows, cols,
            w.variable(), Arrays.toString(shape), matrixRows, last, matrixRows, last, w.variable()));
      }
      int blocksPerRow = last / cols;
      int[] g = new int[w.size()];
      for (int i = 0; i < g.length; i++) {
        int r = i / last;
        int c = i % last;
        g[i] = (r / rows) * blocksPerRow + c / cols;
      }
      return new Grouping(matrixRows / rows * blocksPerRow, g);
    }

    @Override
    public double[] scores(float[] values, Grouping g) {
      double[] s = new double[g.groups()];
      for (int i = 0; i < values.length; i++) {
        s[g.groupOf()[i]] += Math.abs(values[i]);
      }
      for (int k = 0; k < s.length; k++) {
        s[k] /= rows * cols;
      }
      return s;
    }

    @Override
    public String spelling() {
      return "block:" + rows + "x" + cols;
    }
  }

  /** Whole output channels (filters), scored by the L1 or L2 norm of the filter. */
  record Channel(Norm norm) implements Granularity {
    /** The filter norm. */
    public enum Norm { L1, L2 }

    @Override
    public Grouping group(PrunableWeight w) {
      int[] g = new int[w.size()];
      for (int i = 0; i < g.length; i++) {
        g[i] = w.outputChannelOf(i);
      }
      return new Grouping(w.outputChannels(), g);
    }

    @Override
    public double[] scores(float[] values, Grouping g) {
      double[] s = new double[g.groups()];
      for (int i = 0; i < values.length; i++) {
        double v = values[i];
        s[g.groupOf()[i]] += norm == Norm.L1 ? Math.abs(v) : v * v;
      }
      if (norm == Norm.L2) {
        for (int k = 0; k < s.length; k++) {
          s[k] = Math.sqrt(s[k]);
        }
      }
      return s;
    }

    @Override
    public String spelling() {
      return "channel:" + norm.name().toLowerCase(Locale.ROOT);
    }
  }
}
