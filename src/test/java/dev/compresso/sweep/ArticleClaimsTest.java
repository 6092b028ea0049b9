package dev.compresso.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The article's claims are judged from the rows: change a measurement and the verdict follows. */
class ArticleClaimsTest {

  static final BaselineRow SOURCE = new BaselineRow(12_000_000, 11_900_000, 400L << 20, 20, 12, 2, 0.0100, "ft", 0.99,
      "dice", "SavedModel folder", 1_000_000, 4_000_000, 10, "test", "");

  static SweepRow row(double sparsity, String precision, String io, long bytes, long gzip, long rss, double ms,
      double loss) {
    return new SweepRow(sparsity, sparsity, precision, bytes, gzip, rss, 350L << 20, ms, ms, 20, 2, loss, 0.01, "ft",
        0.99, "dice", 1e-6, 1_900_000, io, io.equals("float") ? "" : "all ops map", io.equals("float") ? Double.NaN : 1,
        0, Cell.UNSTRUCTURED, 0, 0, 0, 10, "test", "");
  }

  static List<SweepRow> rows(long sparseGzip, double qatLoss, double qatMs, long fp16Rss) {
    return List.of(
        row(0, "fp32", "float", 1_950_000, 1_800_000, 90L << 20, 8, 0.0100),
        row(0, "fp16", "float", 980_000, 900_000, fp16Rss, 8, 0.0100),
        row(0, "int8-qat", "uint8", 520_000, 400_000, 70L << 20, qatMs, qatLoss),
        row(0.8, "fp32", "float", 1_950_000, sparseGzip, 90L << 20, 8, 0.0110),
        row(0.8, "int8-qat", "uint8", 520_000, 200_000, 70L << 20, qatMs, qatLoss));
  }

  @Test
  void whatWasMeasuredDecidesEachVerdict() {
    List<ArticleClaims.Claim> held = ArticleClaims.evaluate(SOURCE, rows(800_000, 0.0150, 12, 80L << 20));
    assertEquals(3, held.size());
    for (ArticleClaims.Claim c : held) {
      assertEquals(ArticleClaims.Verdict.HELD, c.verdict(), c.toString());
    }
    assertTrue(held.get(0).measured().startsWith("2.25x"), held.get(0).measured());
    assertTrue(held.get(1).measured().contains("sparsity 0.80: 7.69x smaller"), held.get(1).measured());

    List<ArticleClaims.Claim> not = ArticleClaims.evaluate(SOURCE, rows(1_500_000, 0.0500, 4, 300L << 20));
    assertEquals(ArticleClaims.Verdict.NOT_HELD, not.get(0).verdict(), "gzip only 1.2x smaller");
    assertEquals(ArticleClaims.Verdict.NOT_HELD, not.get(1).verdict(), "loss 0.05 vs 0.01, and faster");
    assertTrue(not.get(1).measured().contains("not slower"), not.get(1).measured());
    assertEquals(ArticleClaims.Verdict.NOT_HELD, not.get(2).verdict(), "RAM only 1.33x less");
  }

  @Test
  void aGridWithoutTheCellsSaysSo() {
    List<ArticleClaims.Claim> claims = ArticleClaims.evaluate(null, List.of(row(0.5, "fp32", "float", 1, 1, 1, 1, 0)));
    for (ArticleClaims.Claim c : claims) {
      assertEquals(ArticleClaims.Verdict.NOT_MEASURED, c.verdict(), c.toString());
    }
  }
}
