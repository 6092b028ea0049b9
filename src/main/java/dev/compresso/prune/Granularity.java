package dev.compresso.prune;

import dev.compresso.BadInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a mask removes at once, and how a unit is scored: a single weight by |w| ({@link Unstructured});
 * an RxC block of the weight viewed as a matrix by the mean |w| of the block ({@link Block}, as tfmot's
 * {@code block_size} with average pooling); a whole output filter by its L1 or L2 norm ({@link Channel},
 * Li et al., "Pruning Filters for Efficient ConvNets", 2017); {@code m} zeros in every {@code n}
 * consecutive input-channel weights ({@link MByN}, tfmot's {@code sparsity_m_by_n}).
 *
 * <p>Units of one weight all have the same number of elements, so a unit sparsity is an element sparsity.
 */
public sealed interface Granularity permits Granularity.Unstructured, Granularity.Block, Granularity.Channel,
    Granularity.MByN {

  /** The unit of each element, and the number of units: {@code groupOf[i]} in {@code [0, groups)}. */
  record Grouping(int groups, int[] groupOf) {}

  /** Groups the elements of {@code w}; a shape the granularity cannot divide is a {@link BadInputException}. */
  Grouping group(PrunableWeight w);

  /** One score per unit from the weight's values; lower scores are pruned first. */
  double[] scores(float[] values, Grouping g);

  /** The command-line spelling. */
  String spelling();

  /**
   * Parses {@code unstructured}, {@code block:RxC}, {@code channel}, {@code channel:l1}, {@code channel:l2}
   * or {@code M:N} (e.g. {@code 2:4}).
   */
  static Granularity parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    Matcher mn = Pattern.compile("(\\d{1,9}):(\\d{1,9})").matcher(t);
    if (mn.matches()) {
      return new MByN(Integer.parseInt(mn.group(1)), Integer.parseInt(mn.group(2)));
    }
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
        + "channel, channel:l1, channel:l2, M:N (e.g. 2:4)");
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

  /**
   * m:n sparsity as tfmot defines it ({@code pruning_utils.generate_m_by_n_mask}, {@code sparsity_m_by_n}):
   * {@code m} zeros in every {@code n} consecutive weights along the kernel's input-channel axis, the
   * {@code n - m} largest |w| of each group kept, {@code m < n}. tfmot groups along the last axis of the
   * TFLite layout, which is the input channel for both conv ({@code [out, kh, kw, in]}) and fully-connected
   * ({@code [out, in]}) weights; in TF's layouts that is axis 2 of {@code Conv2D} and {@code
   * DepthwiseConv2dNative} filters, axis 3 of {@code Conv2DBackpropInput} filters and the {@code in} axis
   * of a {@code MatMul} weight ({@link PrunableWeight#inputAxis()}). So a group is {@code n} consecutive
   * input channels at one {@code (h, w, out)} position. Unlike tfmot, which zero-pads a last partial
   * group, an input-channel count that {@code n} does not divide is refused.
   *
   * <p>Units are single weights, selected within their group: at scheduled sparsity {@code s} each group
   * prunes its {@code min(m, round(s * n))} smallest magnitudes (ties by position), so the schedule ramps
   * from dense to exactly m:n at the final sparsity {@code m / n}.
   */
  record MByN(int m, int n) implements Granularity {
    public MByN {
      if (m < 1 || n < 2 || m >= n) {
        throw new BadInputException("--granularity " + m + ":" + n + " needs 1 <= m < n (m zeros in every n "
            + "consecutive input-channel weights, e.g. 2:4)");
      }
    }

    /** The sparsity this pattern reaches: {@code m / n}. */
    public double sparsity() {
      return (double) m / n;
    }

    /** Zeros per group at scheduled sparsity {@code s}. */
    public int zerosPerGroup(double s) {
      return (int) Math.min(m, Math.round(s * n));
    }

    /** Groups of {@code n} consecutive input channels; {@code groupOf[i]} is element i's group. */
    @Override
    public Grouping group(PrunableWeight w) {
      long[] shape = w.shape();
      int axis = w.inputAxis();
      int in = (int) shape[axis];
      if (in % n != 0) {
        throw new BadInputException(String.format("%d:%d needs input channels divisible by %d, but weight %s %s has "
            + "%d input channels (axis %d); choose n dividing %d, or --ignore %s", m, n, n, w.variable(),
            Arrays.toString(shape), in, axis, in, w.variable()));
      }
      long innerL = 1;
      for (int a = axis + 1; a < shape.length; a++) {
        innerL *= shape[a];
      }
      int inner = (int) innerL;
      int[] g = new int[w.size()];
      for (int i = 0; i < g.length; i++) {
        int outer = i / (in * inner);
        int c = (i / inner) % in;
        int r = i % inner;
        g[i] = (outer * (in / n) + c / n) * inner + r;
      }
      return new Grouping(w.size() / n, g);
    }

    /** One score per element (not per group): |w|, compared only within the element's group. */
    @Override
    public double[] scores(float[] values, Grouping g) {
      return new Unstructured().scores(values, g);
    }

    /** The mask at scheduled sparsity {@code s}: the {@link #zerosPerGroup} lowest scores of each group pruned. */
    public float[] mask(double[] scores, Grouping g, double s) {
      int k = zerosPerGroup(s);
      int[] start = new int[g.groups() + 1];
      for (int i = 0; i < scores.length; i++) {
        start[g.groupOf()[i] + 1]++;
      }
      for (int q = 0; q < g.groups(); q++) {
        start[q + 1] += start[q];
      }
      int[] fill = Arrays.copyOf(start, g.groups());
      int[] members = new int[scores.length];
      for (int i = 0; i < scores.length; i++) {
        members[fill[g.groupOf()[i]]++] = i;
      }
      float[] mask = new float[scores.length];
      Arrays.fill(mask, 1f);
      double[] local = new double[n];
      for (int q = 0; q < g.groups(); q++) {
        for (int j = 0; j < n; j++) {
          local[j] = scores[members[start[q] + j]];
        }
        boolean[] pruned = MaskCalculator.lowest(local, k);
        for (int j = 0; j < n; j++) {
          if (pruned[j]) {
            mask[members[start[q] + j]] = 0f;
          }
        }
      }
      return mask;
    }

    @Override
    public String spelling() {
      return m + ":" + n;
    }
  }
}
