package dev.compresso.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.compresso.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock rule of {@link CellLocks} on a real filesystem: one claim wins, dead holders are recognized. */
class CellLocksTest {

  @TempDir Path out;
  private final Cell cell = Cell.model(1, 0.5);

  @Test
  void ofEightSimultaneousClaimsExactlyOneWins() throws Exception {
    CellLocks locks = new CellLocks(out);
    CellLocks.Status free = locks.status(cell);
    assertEquals(CellLocks.State.FREE, free.state());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Optional<CellLease>>> claims = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String name = "t" + i;
      claims.add(pool.submit(() -> {
        start.await();
        return new CellLocks(out).tryClaim(cell, free, name);
      }));
    }
    start.countDown();
    int won = 0;
    for (Future<Optional<CellLease>> f : claims) {
      Optional<CellLease> lease = f.get();
      if (lease.isPresent()) {
        won++;
        lease.get().close();
      }
    }
    pool.shutdown();
    assertEquals(1, won);
    assertEquals(1, locks.attempts(cell));
    assertEquals(CellLocks.State.LIVE, locks.status(cell).state(), "held by this live process");
  }

  @Test
  void anAttemptOfAGoneProcessOnThisHostIsFreeAtOnce() throws Exception {
    CellLocks locks = new CellLocks(out);
    Path attempt = locks.attemptDir(cell, 0);
    Files.createDirectories(attempt);
    JsonObject owner = new JsonObject();
    owner.addProperty("host", CellLocks.host());
    owner.addProperty("pid", ProcessHandle.current().pid());
    owner.addProperty("process_start", 1);  // this pid, but another process: the pid was reused
    owner.addProperty("worker", "gone");
    Files.writeString(attempt.resolve(CellLocks.OWNER), owner.toString());
    CellLocks.Status st = locks.status(cell);
    assertEquals(CellLocks.State.FREE, st.state());
    assertEquals(1, st.nextAttempt(), "the next claim is a new attempt; the dead one stays as it is");
  }

  @Test
  void anotherHostsAttemptDiesWhenItsHeartbeatStopsForTheLease() throws Exception {
    CellLocks locks = new CellLocks(out, 50, 300);
    Path attempt = locks.attemptDir(cell, 0);
    Files.createDirectories(attempt);
    Files.writeString(attempt.resolve(CellLocks.OWNER),
        "{\"host\":\"elsewhere\",\"pid\":1,\"process_start\":1,\"worker\":\"w\"}");
    Files.writeString(attempt.resolve(CellLocks.HEARTBEAT), "1");
    assertEquals(CellLocks.State.LIVE, locks.status(cell).state(), "first seen: alive until the lease passes");
    for (int beat = 2; beat < 6; beat++) {
      Thread.sleep(150);
      Files.writeString(attempt.resolve(CellLocks.HEARTBEAT), Integer.toString(beat));
      assertEquals(CellLocks.State.LIVE, locks.status(cell).state(), "a beating heart keeps the lease");
    }
    Thread.sleep(400);
    assertEquals(CellLocks.State.FREE, locks.status(cell).state(), "no beat for the lease: dead");
  }

  @Test
  void theLeaseComesFromTheEnvironmentInWholeSecondsAndTheHeartbeatFollowsIt() {
    assertEquals(CellLocks.LEASE_MILLIS_DEFAULT, CellLocks.leaseMillis(Map.of()));
    assertEquals(30_000, CellLocks.leaseMillis(Map.of(CellLocks.LEASE_ENV, " 30 ")));
    assertEquals(7_500, CellLocks.heartbeatMillis(30_000), "four beats per lease");
    assertEquals(CellLocks.HEARTBEAT_MILLIS_DEFAULT, CellLocks.heartbeatMillis(CellLocks.LEASE_MILLIS_DEFAULT));
    for (String bad : List.of("9", "30s", "-1", "1e3", "999999999")) {
      BadInputException e = assertThrows(BadInputException.class,
          () -> CellLocks.leaseMillis(Map.of(CellLocks.LEASE_ENV, bad)), bad);
      assertTrue(e.getMessage().startsWith(CellLocks.LEASE_ENV + " is the sweep lease") && e.getMessage()
          .endsWith("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void failuresAreRetriedUpToTheLimitAndBadInputIsNot() throws Exception {
    CellLocks locks = new CellLocks(out);
    for (int i = 0; i < CellLocks.MAX_ATTEMPTS; i++) {
      CellLocks.Status st = locks.status(cell);
      assertEquals(CellLocks.State.FREE, st.state(), "attempt " + i);
      try (CellLease lease = locks.tryClaim(cell, st, "w").orElseThrow()) {
        lease.fail("crashed " + i, false);
      }
    }
    CellLocks.Status st = locks.status(cell);
    assertEquals(CellLocks.State.GIVEN_UP, st.state());
    assertEquals("crashed 2", st.lastFailure());

    Cell other = Cell.model(2, 0.8);
    try (CellLease lease = locks.tryClaim(other, locks.status(other), "w").orElseThrow()) {
      lease.fail("no such data", true);
    }
    assertEquals(CellLocks.State.GIVEN_UP, locks.status(other).state(), "bad input would fail again");
  }

  @Test
  void aCellWithItsResultIsDone() throws Exception {
    CellLocks locks = new CellLocks(out);
    Files.createDirectories(locks.doneFile(cell).getParent());
    Files.writeString(locks.doneFile(cell), "{}");
    assertEquals(CellLocks.State.DONE, locks.status(cell).state());
  }
}
