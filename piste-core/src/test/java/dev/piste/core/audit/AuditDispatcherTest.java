package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditSink;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.TestRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher sleeps between batches: a request thread whose event fills the batch wakes it,
 * and it wakes by itself only at a batch's flush deadline and every 50 ms to check the sinks.
 */
final class AuditDispatcherTest {

  private static final OperationPolicy POLICY = AuditHarness.policy("listInvoices", "/v1/invoices");

  @TempDir
  Path dir;

  @Test
  void anIdleDispatcherWakesOnlyForItsSinkChecks() throws Exception {
    MemoryAuditSink sink = new MemoryAuditSink();
    try (AuditHarness h = new AuditHarness(Map.of(
        "piste.audit.spool-dir", dir.toString()), sink)) {
      long start = System.nanoTime();
      long before = h.audit.stats().dispatcherWakeUps.get();
      Thread.sleep(1000);
      long wakeUps = h.audit.stats().dispatcherWakeUps.get() - before;
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      // one sink check every 50 ms, and one more for a sleep that straddles the window's ends
      assertThat(wakeUps).isBetween(1L, elapsedMillis / 50 + 2);
    }
  }

  @Test
  void aBatchFilledByRequestsIsDeliveredWithoutWaitingForItsFlushDeadline() throws Exception {
    MemoryAuditSink sink = new MemoryAuditSink();
    try (AuditHarness h = new AuditHarness(Map.of(
        "piste.audit.batch-size", "50",
        "piste.audit.flush-interval", "1h",
        "piste.audit.spool-dir", dir.toString()), sink)) {
      long before = h.audit.stats().dispatcherWakeUps.get();
      long start = System.nanoTime();
      for (int i = 0; i < 1000; i++) {
        h.serve(TestRequest.get("/v1/invoices").header("Authorization", "Bearer good"), POLICY, null);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (sink.size() < 1000 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      long wakeUps = h.audit.stats().dispatcherWakeUps.get() - before;
      // twenty full batches, none left waiting for the flush deadline of an hour
      assertThat(sink.size()).isEqualTo(1000);
      // about one wake-up per batch (two when a batch is started from an empty queue), plus the
      // sink checks: never one per event
      assertThat(wakeUps).isLessThanOrEqualTo(2 * 20 + elapsedMillis / 50 + 2);
    }
  }

  @Test
  void eventsWithLargeCapturedBodiesAreCutIntoBatchesOfAtMostEightMebibytes() throws Exception {
    List<Long> batchBytes = new CopyOnWriteArrayList<>();
    List<String> delivered = new CopyOnWriteArrayList<>();
    AuditSink sink = batch -> {
      batchBytes.add(batch.stream().mapToLong(e -> e.jsonLength() + 1).sum() + 1);
      batch.forEach(e -> delivered.add(e.requestId()));
    };
    String body = "[\"" + "a".repeat(1_000_000) + "\"]";
    try (AuditHarness h = new AuditHarness(Map.of(
        "piste.audit.body.enabled", "true",
        "piste.audit.body.max-size", "1MiB",
        "piste.audit.batch-size", "20",
        "piste.audit.flush-interval", "1h",
        "piste.audit.spool-dir", dir.toString()), sink)) {
      for (int i = 0; i < 20; i++) {
        h.serve(TestRequest.of("POST", "/v1/invoices").header("Authorization", "Bearer good")
            .header("Content-Type", "application/json").header("X-Request-Id", "r-" + i),
            POLICY, null, body);
      }
    }
    // eight events of 1 MB make a batch; twenty events of them, three batches, in order
    assertThat(batchBytes).hasSize(3).allSatisfy(b -> assertThat(b).isLessThanOrEqualTo(8 << 20));
    assertThat(delivered).isEqualTo(IntStream.range(0, 20).mapToObj(i -> "r-" + i).toList());
  }
}
