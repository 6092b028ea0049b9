package dev.compresso.sweep;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a sweep folder holds now: the plan, the baseline row if its cell is done, the rows of every done
 * model cell in plan order, and the cells that failed for good. Reading never waits and never writes, so
 * {@code sweep --report} can merge a sweep that is still running.
 *
 * @param plan the sweep's plan
 * @param baseline the source model's row, or null while its cell is not done
 * @param rows the rows of done model cells, sparsity then variant in plan order
 * @param done how many cells are done
 * @param failed one line per given-up cell: its id and the last failure
 */
public record SweepResults(SweepPlan plan, BaselineRow baseline, List<SweepRow> rows, int done, List<String> failed) {

  public SweepResults {
    rows = List.copyOf(rows);
    failed = List.copyOf(failed);
  }

  /** Reads the sweep in {@code folder}. */
  public static SweepResults read(Path folder) {
    SweepPlan plan = SweepPlan.read(folder);
    CellLocks locks = new CellLocks(folder);
    BaselineRow baseline = null;
    List<SweepRow> rows = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    int done = 0;
    for (Cell cell : plan.cells()) {
      Path file = locks.doneFile(cell);
      if (Files.exists(file)) {
        done++;
        JsonObject o = CellRunner.readJson(file);
        if (cell.isBaseline()) {
          baseline = new Gson().fromJson(o.get("baseline"), BaselineRow.class);
        } else {
          rows.addAll(CellRunner.rowsOf(o));
        }
      } else {
        CellLocks.Status st = locks.status(cell);
        if (st.state() == CellLocks.State.GIVEN_UP) {
          failed.add("cell " + cell.index() + " (" + cell.id() + "): " + st.lastFailure());
        }
      }
    }
    return new SweepResults(plan, baseline, rows, done, failed);
  }

  /** The sweep's configuration. */
  public SweepConfig config() {
    return plan.config();
  }

  /** Whether every cell is done. */
  public boolean complete() {
    return done == plan.cells().size();
  }
}
