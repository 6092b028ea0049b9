package dev.compresso.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The seed article's claims, each set against what a sweep measured and judged from the measured rows:
 * a sparse model is about 2x smaller (compressed); a QAT model with uint8 I/O is about 6x smaller at the
 * same loss but slower; an fp16 TFLite model is about 4x smaller and needs about 2x less RAM. "About Nx"
 * holds when the measured ratio is at least {@value #APPROX} of N; "the same loss" when it is within
 * {@value #SAME_LOSS_ABS} (absolute) or {@value #SAME_LOSS_REL} (relative) of the source model's.
 * Sizes are against the source SavedModel folder (what the user had), except the sparse claim, which is
 * about compressibility: gzip of the sparse fp32 .tflite against gzip of the dense one.
 */
public final class ArticleClaims {

  public static final double APPROX = 0.8;
  public static final double SAME_LOSS_ABS = 0.01;
  public static final double SAME_LOSS_REL = 0.1;

  /** Whether a claim held in this run. */
  public enum Verdict {
    HELD, NOT_HELD, NOT_MEASURED;

    @Override
    public String toString() {
      return switch (this) {
        case HELD -> "held";
        case NOT_HELD -> "did not hold";
        case NOT_MEASURED -> "not measured";
      };
    }
  }

  /**
   * One claim and the run's answer.
   *
   * @param claim what the article says
   * @param measured what this run measured, with the cell it used
   * @param verdict held, did not hold, or not measured (the grid lacks the cells)
   */
  public record Claim(String claim, String measured, Verdict verdict) {}

  private ArticleClaims() {}

  /** Evaluates every claim on {@code rows} against {@code baseline} (either may lack what a claim needs). */
  public static List<Claim> evaluate(BaselineRow baseline, List<SweepRow> rows) {
    List<Claim> claims = new ArrayList<>();
    claims.add(sparse(rows));
    claims.add(qat(baseline, rows));
    claims.add(fp16(baseline, rows));
    return claims;
  }

  static Claim sparse(List<SweepRow> rows) {
    String claim = "a sparse model is ~2x smaller (compressed)";
    Optional<SweepRow> dense = find(rows, "fp32", "float").filter(r -> r.sparsity() == 0).findFirst();
    Optional<SweepRow> sparse = find(rows, "fp32", "float").filter(r -> r.sparsity() > 0)
        .max(Comparator.comparingDouble(SweepRow::sparsity));
    if (dense.isEmpty() || sparse.isEmpty()) {
      return new Claim(claim, "needs fp32 cells at sparsity 0 and above", Verdict.NOT_MEASURED);
    }
    double ratio = (double) dense.get().gzipBytes() / sparse.get().gzipBytes();
    return new Claim(claim, String.format(Locale.ROOT, "%.2fx: fp32 gzip %,d bytes dense, %,d at sparsity %.2f "
        + "(loss %.4f -> %.4f)", ratio, dense.get().gzipBytes(), sparse.get().gzipBytes(), sparse.get().sparsity(),
        dense.get().loss(), sparse.get().loss()), ratio >= 2 * APPROX ? Verdict.HELD : Verdict.NOT_HELD);
  }

  static Claim qat(BaselineRow baseline, List<SweepRow> rows) {
    String claim = "a QAT uint8 model is ~6x smaller at the same loss, but slower";
    List<SweepRow> qat = find(rows, "int8-qat", "uint8").toList();
    if (baseline == null || qat.isEmpty()) {
      return new Claim(claim, "needs the baseline and int8-qat cells with --io uint8", Verdict.NOT_MEASURED);
    }
    SweepRow r = qat.stream().filter(q -> sameLoss(q.loss(), baseline.loss()))
        .max(Comparator.comparingDouble(SweepRow::sparsity))
        .orElseGet(() -> qat.stream().min(Comparator.comparingDouble(SweepRow::loss)).orElseThrow());
    double ratio = baseline.timesSmaller(r.tfliteBytes());
    boolean smaller = ratio >= 6 * APPROX;
    boolean same = sameLoss(r.loss(), baseline.loss());
    Optional<SweepRow> fp32 = find(rows, "fp32", "float").filter(f -> f.sparsity() == r.sparsity()).findFirst();
    double against = fp32.map(SweepRow::latencyMs1).orElse(baseline.latencyMs1());
    boolean slower = r.latencyMs1() > against;
    String measured = String.format(Locale.ROOT, "sparsity %.2f: %.2fx smaller (%,d bytes; source inference weights %,d fp32 bytes) %s; loss %.4f vs "
        + "%.4f %s; %.2f ms vs %.2f ms %s %s", r.sparsity(), ratio, r.tfliteBytes(), baseline.inferenceBytes(),
        mark(smaller), r.loss(), baseline.loss(), mark(same), r.latencyMs1(), against,
        fp32.isPresent() ? "(fp32 .tflite)" : "(TF Java)", slower ? "slower" : "not slower");
    return new Claim(claim, measured, smaller && same && slower ? Verdict.HELD : Verdict.NOT_HELD);
  }

  static Claim fp16(BaselineRow baseline, List<SweepRow> rows) {
    String claim = "an fp16 TFLite model is ~4x smaller and needs ~2x less RAM";
    Optional<SweepRow> r = find(rows, "fp16", "float").min(Comparator.comparingDouble(SweepRow::sparsity));
    if (baseline == null || r.isEmpty()) {
      return new Claim(claim, "needs the baseline and an fp16 cell", Verdict.NOT_MEASURED);
    }
    double size = baseline.timesSmaller(r.get().tfliteBytes());
    double ram = baseline.timesLessRam(r.get().tflitePeakRssBytes());
    boolean smaller = size >= 4 * APPROX;
    boolean less = ram >= 2 * APPROX;
    return new Claim(claim, String.format(Locale.ROOT, "sparsity %.2f: %.2fx smaller (%,d bytes; source inference weights %,d fp32 bytes) %s; %.2fx "
        + "less RAM (%.1f of %.1f MB) %s", r.get().sparsity(), size, r.get().tfliteBytes(), baseline.inferenceBytes(),
        mark(smaller), ram, r.get().tflitePeakRssBytes() / 1048576.0, baseline.peakRssBytes() / 1048576.0,
        mark(less)), smaller && less ? Verdict.HELD : Verdict.NOT_HELD);
  }

  /** Whether {@code loss} is the same as {@code reference} within the tolerances. */
  static boolean sameLoss(double loss, double reference) {
    return Math.abs(loss - reference) <= Math.max(SAME_LOSS_ABS, SAME_LOSS_REL * Math.abs(reference));
  }

  private static java.util.stream.Stream<SweepRow> find(List<SweepRow> rows, String precision, String io) {
    // The article prunes unstructured and does not cluster: its claims are judged on such rows only.
    return rows.stream().filter(r -> r.plain() && r.precision().equals(precision) && r.io().equals(io));
  }

  private static String mark(boolean ok) {
    return ok ? "(yes)" : "(no)";
  }
}
