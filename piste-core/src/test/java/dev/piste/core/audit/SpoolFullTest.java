package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.testing.AuditCollectorServer;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TestRequest;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the spool cannot take events (full disk, unusable directory) the loss is counted and logged, and requests keep being served. */
final class SpoolFullTest {

  private static final OperationPolicy LIST = AuditHarness.policy("InvoiceResource.list",
      "/v1/invoices");

  @TempDir
  Path dir;

  private static String captureErr(Runnable r) {
    PrintStream original = System.err;
    AuditSecretsTest.Tee tee = new AuditSecretsTest.Tee(original);
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(original);
    }
    return tee.copy.toString(StandardCharsets.UTF_8);
  }

  private static int serveAll(AuditHarness h, int count) {
    return serveAll(h, 0, count);
  }

  private static int serveAll(AuditHarness h, int from, int to) {
    int served = 0;
    for (int i = from; i < to; i++) {
      int status = h.serve(TestRequest.get("/v1/invoices").header("X-API-Key", "k")
          .header("X-Request-Id", "r-" + i), LIST, null);
      if (status == 200) {
        served++;
      }
    }
    return served;
  }

  @Test
  void aFullSpoolCountsAndLogsTheLossAndRequestsKeepBeingServed() throws Exception {
    try (AuditCollectorServer collector = new AuditCollectorServer(false)) {
      collector.down(true);
      int total = 2000;
      long[] lost = new long[1];
      long[] recorded = new long[1];
      String log = captureErr(() -> {
        try (AuditHarness h = new AuditHarness(PisteConfig.of(Map.of(
            "piste.audit.sinks", "http",
            "piste.audit.http.url", collector.url().toString(),
            "piste.audit.spool-dir", dir.resolve("spool").toString(),
            "piste.audit.spool-max-size", "64KiB",
            "piste.audit.flush-interval", "10ms")))) {
          assertThat(serveAll(h, total)).isEqualTo(total);
          Poll.until(Duration.ofSeconds(20), () -> h.audit.settled() == total,
              () -> h.audit.stats().toString());
          lost[0] = h.audit.stats().lost.get();
          recorded[0] = h.audit.stats().recorded.sum();
          assertThat(lost[0]).isPositive().isLessThan(total);
          collector.down(false);
          Poll.until(Duration.ofSeconds(20),
              () -> collector.distinctEvents() == total - lost[0],
              () -> collector.distinctEvents() + " at collector; " + h.audit.stats());
        }
      });
      assertThat(recorded[0]).isEqualTo(total);
      assertThat(log).contains("AUDIT EVENTS LOST").contains("piste.audit.spool-max-size");
    }
  }

  @Test
  void anUnusableSpoolDirectoryLosesOnlyWhatTheSinkCannotTakeAndSaysSo() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    try (AuditCollectorServer collector = new AuditCollectorServer(false)) {
      String log = captureErr(() -> {
        try (AuditHarness h = new AuditHarness(PisteConfig.of(Map.of(
            "piste.audit.sinks", "http",
            "piste.audit.http.url", collector.url().toString(),
            "piste.audit.spool-dir", file.resolve("spool").toString(),
            "piste.audit.flush-interval", "10ms")))) {
          assertThat(serveAll(h, 100)).isEqualTo(100);
          Poll.until(Duration.ofSeconds(10), () -> collector.distinctEvents() == 100,
              () -> h.audit.stats().toString());
          collector.down(true);
          assertThat(serveAll(h, 100)).isEqualTo(100);
          Poll.until(Duration.ofSeconds(10), () -> h.audit.stats().lost.get() == 100,
              () -> h.audit.stats().toString());
        }
      });
      assertThat(log).contains("AUDIT SPOOL UNAVAILABLE").contains("AUDIT EVENTS LOST");
    }
  }

  /** Keeps the request ids it is given; {@link #stallNext} makes its next write wait for {@link #release}. */
  private static final class StallingSink implements AuditSink {
    final Set<String> requestIds = ConcurrentHashMap.newKeySet();
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch stalled = new CountDownLatch(1);
    volatile boolean stallNext;

    @Override
    public void write(List<AuditEvent> batch) throws InterruptedException {
      if (stallNext) {
        stallNext = false;
        stalled.countDown();
        release.await();
      }
      batch.forEach(e -> requestIds.add(e.requestId()));
    }
  }

  @Test
  void aHealthySinkThatStallsOnceLosesNothingWhenAnotherSinkFilledTheSpool() throws Exception {
    AuditSink down = batch -> {
      throw new java.io.IOException("down");
    };
    StallingSink healthy = new StallingSink();
    PrintStream original = System.err;
    AuditSecretsTest.Tee tee = new AuditSecretsTest.Tee(original);
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    AuditHarness h = new AuditHarness(Map.of(
        "piste.audit.spool-dir", dir.resolve("spool").toString(),
        "piste.audit.spool-max-size", "64KiB",
        "piste.audit.flush-interval", "10ms",
        "piste.audit.batch-size", "50"), down, healthy);
    try {
      // the failing sink fills the shared spool and loses the rest, counted
      assertThat(serveAll(h, 0, 400)).isEqualTo(400);
      Poll.until(Duration.ofSeconds(20), () -> h.audit.settled() == 400,
          () -> h.audit.stats().toString());
      assertThat(h.audit.stats().lost.get()).isPositive();
      healthy.stallNext = true;
      serveAll(h, 400, 401);
      assertThat(healthy.stalled.await(10, TimeUnit.SECONDS)).isTrue();
      serveAll(h, 401, 600);
      // the watchdog finds the write slow and the spool full
      Poll.until(Duration.ofSeconds(10),
          () -> tee.copy.toString(StandardCharsets.UTF_8).contains("audit sink custom-2 is slow"));
      healthy.release.countDown();
      Poll.until(Duration.ofSeconds(10), () -> healthy.requestIds.size() == 600,
          () -> healthy.requestIds.size() + " of 600 at the healthy sink; " + h.audit.stats());
    } finally {
      healthy.release.countDown();
      h.close();
      System.setErr(original);
    }
    // everything spooled or lost was the failing sink's: one of the two for each of its events
    assertThat(h.audit.stats().spooled.get() + h.audit.stats().lost.get()).isEqualTo(600);
    assertThat(healthy.requestIds).hasSize(600);
  }
}
