package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.testing.AuditCollectorServer;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TestRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zero-downtime restart: the new process starts while the old one still holds the spool slot,
 * so it takes the next one; the old one then stops with its collector down and leaves its events
 * in its slot. The new process delivers them, exactly once, and never touches a slot that a live
 * process holds.
 */
final class AuditSpoolSlotsTest {

  private static final OperationPolicy POLICY =
      AuditHarness.policy("InvoiceResource.list", "/v1/invoices");

  @TempDir
  Path dir;

  @Test
  void aSlotLeftByAStoppedProcessIsDeliveredOnceAndALiveOneIsNotTouched() throws Exception {
    Path spool = dir.resolve("spool");
    Path log = dir.resolve("child.log");
    try (AuditCollectorServer oldCollector = new AuditCollectorServer(false);
        AuditCollectorServer collector = new AuditCollectorServer(false)) {
      oldCollector.down(true);
      AuditChildProcess old = new AuditChildProcess(log, n -> { }, "http",
          oldCollector.url().toString(), spool.toString(), "500", "old", "hold");
      Poll.until(Duration.ofSeconds(60), () -> old.produced() && old.checkpoint() >= 500
          || !old.alive(), () -> "checkpoint " + old.checkpoint() + "; " + read(log));
      assertThat(old.alive()).as(read(log)).isTrue();
      assertThat(segments(spool.resolve("http"))).as("the old process's spool").isNotEmpty();

      AuditHarness current = harness(spool, collector);
      try {
        assertThat(current.audit.spoolDirectory()).isEqualTo(spool.resolveSibling("spool.1"));
        serve(current, "new", 100);
        Poll.until(Duration.ofSeconds(30), () -> collector.distinctEvents() >= 100);
        assertThat(current.audit.adoptOrphanSpools()).as("the live process's slot").isZero();
        assertThat(collector.requestIds()).noneMatch(r -> r.startsWith("old-"));
        assertThat(segments(spool.resolve("http"))).isNotEmpty();

        old.release();
        assertThat(old.await(60)).as(read(log)).isZero();
        assertThat(old.closed()).isTrue();
        assertThat(oldCollector.receivedEvents()).isZero();

        assertThat(current.audit.adoptOrphanSpools()).as("the stopped process's slot").isOne();
        Poll.until(Duration.ofSeconds(30), () -> collector.distinctEvents() >= 600,
            () -> collector.distinctEvents() + " events");
        Poll.await("the emptied spool removed", Duration.ofSeconds(30),
            () -> !Files.exists(spool.resolve("http")));
        assertThat(current.audit.adoptOrphanSpools()).as("nothing left to adopt").isZero();
      } finally {
        current.close();
      }
      // a later start on the emptied slot delivers nothing again
      AuditHarness later = harness(spool, collector);
      try {
        assertThat(later.audit.spoolDirectory()).isEqualTo(spool);
        assertThat(later.audit.adoptOrphanSpools()).isZero();
      } finally {
        later.close();
      }
      assertThat(AuditChildProcess.missing(collector.requestIds(), "old", 500)).isEmpty();
      assertThat(AuditChildProcess.missing(collector.requestIds(), "new", 100)).isEmpty();
      assertThat(collector.receivedEvents()).as("each event delivered once").isEqualTo(600);
      assertThat(current.audit.stats().spoolWriteErrors.get()).isZero();
    }
  }

  @Test
  void slotsLeftByStoppedProcessesAreDeliveredAtStartBesidesTheOwnOne() throws Exception {
    Path spool = dir.resolve("spool");
    try (AuditCollectorServer collector = new AuditCollectorServer(false)) {
      collector.down(true);
      // three instances on one host; the first stays up, the other two stop with events spooled
      AuditHarness first = harness(spool, collector);
      AuditHarness second = harness(spool, collector);
      AuditHarness third = harness(spool, collector);
      try {
        serve(second, "second", 50);
        serve(third, "third", 70);
        Poll.until(Duration.ofSeconds(30), () -> second.audit.settled() >= 50
            && third.audit.settled() >= 70);
      } finally {
        second.close();
        third.close();
      }
      collector.down(false);
      AuditHarness restarted = harness(spool, collector);
      try {
        assertThat(restarted.audit.spoolDirectory()).isEqualTo(spool.resolveSibling("spool.1"));
        Poll.until(Duration.ofSeconds(30), () -> collector.distinctEvents() >= 120,
            () -> collector.distinctEvents() + " events");
        assertThat(first.audit.stats().delivered.get()).isZero();
      } finally {
        restarted.close();
        first.close();
      }
      assertThat(AuditChildProcess.missing(collector.requestIds(), "second", 50)).isEmpty();
      assertThat(AuditChildProcess.missing(collector.requestIds(), "third", 70)).isEmpty();
      assertThat(collector.receivedEvents()).as("each event delivered once").isEqualTo(120);
      assertThat(segments(spool.resolveSibling("spool.2").resolve("http"))).isEmpty();
    }
  }

  private static AuditHarness harness(Path spool, AuditCollectorServer collector) {
    return new AuditHarness(Map.of("piste.audit.sinks", "http",
        "piste.audit.http.url", collector.url().toString(),
        "piste.audit.spool-dir", spool.toString(),
        "piste.audit.flush-interval", "20ms"));
  }

  private static void serve(AuditHarness h, String run, int count) {
    for (int i = 0; i < count; i++) {
      h.serve(TestRequest.get("/v1/invoices").header("X-API-Key", "k")
          .header("X-Request-Id", run + "-" + i), POLICY, null);
    }
  }

  private static Path[] segments(Path dir) {
    if (!Files.isDirectory(dir)) {
      return new Path[0];
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".seg")).toArray(Path[]::new);
    } catch (IOException e) {
      return new Path[0];
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
