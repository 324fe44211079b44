package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.testing.AuditCollectorServer;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TestRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing is lost when the HTTP collector fails, hangs or the in-memory queue overflows. */
final class HttpCollectorLossTest {

  private static final OperationPolicy LIST = AuditHarness.policy("InvoiceResource.list",
      "/v1/invoices");

  @TempDir
  Path spool;

  private static PisteConfig config(AuditCollectorServer collector, Path spool, String... extra) {
    Map<String, String> m = new java.util.HashMap<>(Map.of(
        "piste.audit.sinks", "http",
        "piste.audit.http.url", collector.url().toString(),
        "piste.audit.http.timeout", "5s",
        "piste.audit.spool-dir", spool.toString(),
        "piste.audit.flush-interval", "50ms"));
    for (int i = 0; i < extra.length; i += 2) {
      m.put(extra[i], extra[i + 1]);
    }
    return PisteConfig.of(m);
  }

  private static void serve(AuditHarness h, int i) {
    h.serve(TestRequest.get("/v1/invoices").header("X-API-Key", "k")
        .header("X-Request-Id", "r-" + i), LIST, null);
  }

  @Test
  void everyOneOf100000EventsArrivesAtLeastOnceThroughAnOutageAndAHangingCollector()
      throws Exception {
    int total = 100_000;
    MemoryAuditSink reference = new MemoryAuditSink();
    try (AuditCollectorServer collector = new AuditCollectorServer(false)) {
      AuditHarness h = new AuditHarness(config(collector, spool, "piste.audit.sinks", "http"),
          reference);
      try {
        for (int i = 0; i < total; i++) {
          if (i == 20_000) {
            collector.down(true);
          } else if (i == 50_000) {
            // the outage lasts until the pipeline has met it several times
            Poll.until(Duration.ofSeconds(30),
                () -> h.audit.stats().failedDeliveries.get() >= 3, () -> h.audit.stats().toString());
            collector.down(false);
            collector.hang(1500);
          } else if (i == 60_000) {
            collector.hang(0);
          }
          serve(h, i);
          if (i % 1000 == 999) {
            // pace the producer a little so that each phase meets the delivery threads
            Thread.sleep(5);
          }
        }
        Poll.until(Duration.ofSeconds(90), () -> collector.distinctEvents() == total,
            () -> collector.distinctEvents() + " distinct at collector; " + h.audit.stats());
        assertThat(h.audit.stats().spooled.get()).as("the outage sent events to the spool")
            .isPositive();
        assertThat(h.audit.stats().failedDeliveries.get()).isPositive();
      } finally {
        h.close();
      }
      assertThat(h.audit.stats().recorded.sum()).isEqualTo(total);
      assertThat(h.audit.stats().lost.get()).isZero();
      Set<String> expected = new HashSet<>();
      for (AuditEvent e : reference.events()) {
        expected.add(e.eventId());
      }
      assertThat(expected).hasSize(total);
      assertThat(collector.eventIds()).isEqualTo(expected);
      assertThat(collector.receivedEvents()).isGreaterThanOrEqualTo(total);
    }
  }

  @Test
  void aFullQueueOverflowsToTheSpoolAndNothingIsLost() throws Exception {
    try (AuditCollectorServer collector = new AuditCollectorServer(false)) {
      collector.hang(700);
      int total = 3000;
      try (AuditHarness h = new AuditHarness(config(collector, spool,
          "piste.audit.queue-size", "16", "piste.audit.batch-size", "8"))) {
        for (int i = 0; i < total; i++) {
          serve(h, i);
        }
        assertThat(h.audit.stats().overflowed.get()).isPositive();
        collector.hang(0);
        Poll.until(Duration.ofSeconds(30), () -> collector.distinctEvents() == total,
            () -> collector.distinctEvents() + " distinct; " + h.audit.stats());
        assertThat(h.audit.stats().lost.get()).isZero();
      }
    }
  }

  @Test
  void gzipIsUsedOnlyWhenConfigured() throws Exception {
    try (AuditCollectorServer collector = new AuditCollectorServer()) {
      try (AuditHarness h = new AuditHarness(config(collector, spool))) {
        serve(h, 1);
        Poll.until(Duration.ofSeconds(10), () -> collector.distinctEvents() == 1,
            () -> h.audit.stats().toString());
      }
      assertThat(collector.gzipPosts()).isZero();
      try (AuditHarness h = new AuditHarness(config(collector, spool.resolve("2"),
          "piste.audit.http.gzip", "true"))) {
        serve(h, 2);
        Poll.until(Duration.ofSeconds(10), () -> collector.distinctEvents() == 2,
            () -> h.audit.stats().toString());
      }
      assertThat(collector.gzipPosts()).isEqualTo(1);
      assertThat(new String(collector.allBodies(), java.nio.charset.StandardCharsets.UTF_8))
          .startsWith("[{\"eventId\"").contains("\"requestId\":\"r-2\"");
    }
  }

  @Test
  void aCollectorAnsweringAnyNon2xxStatusFailsTheDeliveryAndTheBatchIsSpooled()
      throws Exception {
    try (AuditCollectorServer collector = new AuditCollectorServer()) {
      collector.down(true);
      try (AuditHarness h = new AuditHarness(config(collector, spool))) {
        serve(h, 1);
        Poll.until(Duration.ofSeconds(5), () -> h.audit.stats().spooled.get() == 1,
            () -> h.audit.stats().toString());
        assertThat(h.audit.stats().failedDeliveries.get()).isPositive();
        collector.down(false);
        Poll.until(Duration.ofSeconds(10), () -> collector.distinctEvents() == 1,
            () -> h.audit.stats().toString());
      }
    }
  }

  @Test
  void aHangingCollectorHasItsBatchSpooledBeforeTheWriteReturns() throws Exception {
    try (AuditCollectorServer collector = new AuditCollectorServer()) {
      collector.hang(3000);
      try (AuditHarness h = new AuditHarness(config(collector, spool))) {
        serve(h, 1);
        Poll.until(Duration.ofSeconds(5), () -> h.audit.stats().spooled.get() == 1,
            () -> h.audit.stats().toString());
        // spooled while the collector still holds the first POST: the slow write did not wait
        assertThat(collector.posts()).isZero();
        collector.hang(0);
        Poll.until(Duration.ofSeconds(15), () -> collector.distinctEvents() == 1,
            () -> h.audit.stats().toString());
      }
    }
  }
}
