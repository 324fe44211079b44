package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.core.internal.pipeline.PathRules;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TestRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AuditOutcomeTest {

  @TempDir
  Path spool;
  private MemoryAuditSink sink;
  private AuditHarness harness;

  @BeforeEach
  void start() {
    sink = new MemoryAuditSink();
    harness = new AuditHarness(Map.of(
        "piste.audit.spool-dir", spool.toString(),
        "piste.audit.flush-interval", "10ms",
        "piste.api.id", "invoices",
        "piste.api.version", "1.4.0"), sink);
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private AuditEvent only(int status) {
    Poll.until(Duration.ofSeconds(10), () -> sink.size() >= 1, () -> "no event");
    harness.close();
    List<AuditEvent> events = sink.events();
    assertThat(events).hasSize(1);
    AuditEvent e = events.get(0);
    assertThat(e.status()).isEqualTo(status);
    return e;
  }

  @Test
  void allowedRequestProducesOneEventWithCallerOperationAndSizes() {
    Instant before = Instant.now().minusMillis(1);
    int status = harness.serve(TestRequest.of("GET", "/v1/invoices/42").query("expand=lines&page=2")
            .remoteAddress("192.0.2.10")
            .header("Authorization", "Bearer good")
            .header("User-Agent", "curl/8.5")
            .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            .header("X-Request-Id", "req-abc-1"),
        AuditHarness.policy("InvoiceResource.get", "/v1/invoices/{id}", "invoices:read"), null);
    assertThat(status).isEqualTo(200);
    AuditEvent e = only(200);
    assertThat(e.outcome()).isEqualTo("allowed");
    assertThat(e.reason()).isNull();
    assertThat(e.applicationId()).isEqualTo("app-1");
    assertThat(e.subject()).isEqualTo("alice");
    assertThat(e.authMethod()).isEqualTo("jwt");
    assertThat(e.apiId()).isEqualTo("invoices");
    assertThat(e.apiVersion()).isEqualTo("1.4.0");
    assertThat(e.operationId()).isEqualTo("InvoiceResource.get");
    assertThat(e.pathTemplate()).isEqualTo("/v1/invoices/{id}");
    assertThat(e.path()).isEqualTo("/v1/invoices/42");
    assertThat(e.method()).isEqualTo("GET");
    assertThat(e.queryParams()).containsExactly("expand", "page");
    assertThat(e.queryValues()).isEmpty();
    assertThat(e.requestId()).isEqualTo("req-abc-1");
    assertThat(e.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(e.parentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(e.spanId()).hasSize(16).isNotEqualTo("00f067aa0ba902b7");
    assertThat(e.rateLimitRemaining()).isEqualTo(41L);
    assertThat(e.requestBytes()).isEqualTo(0L);
    assertThat(e.responseBytes()).isEqualTo(12L);
    assertThat(e.clientIp()).isEqualTo("192.0.2.10");
    assertThat(e.userAgent()).isEqualTo("curl/8.5");
    assertThat(e.instanceId()).isEqualTo(AuditHarness.INSTANCE);
    assertThat(e.schemaVersion()).isEqualTo(1);
    assertThat(e.eventId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(e.timestamp()).isBetween(before, Instant.now());
    assertThat(e.durationMicros()).isNotNegative();
  }

  @Test
  void missingCredentialProducesOne401Event() {
    harness.serve(TestRequest.get("/v1/invoices"),
        AuditHarness.policy("InvoiceResource.list", "/v1/invoices"), null);
    AuditEvent e = only(401);
    assertThat(e.outcome()).isEqualTo("missing_credential");
    assertThat(e.reason()).isEqualTo("no_credential");
    assertThat(e.applicationId()).isNull();
    assertThat(e.authMethod()).isNull();
    assertThat(e.rateLimitRemaining()).isNull();
    assertThat(e.responseBytes()).isPositive();
  }

  @Test
  void invalidTokenProducesOne401EventWithItsReason() {
    harness.serve(TestRequest.get("/v1/invoices").header("Authorization", "Bearer expired"),
        AuditHarness.policy("InvoiceResource.list", "/v1/invoices"), null);
    AuditEvent e = only(401);
    assertThat(e.outcome()).isEqualTo("invalid_token");
    assertThat(e.reason()).isEqualTo("expired");
  }

  @Test
  void insufficientScopeProducesOne403EventNamingTheCaller() {
    harness.serve(TestRequest.get("/v1/invoices").header("Authorization", "Bearer good"),
        AuditHarness.policy("InvoiceResource.create", "/v1/invoices", "invoices:write"), null);
    AuditEvent e = only(403);
    assertThat(e.outcome()).isEqualTo("insufficient_scope");
    assertThat(e.reason()).isEqualTo("missing_scope");
    assertThat(e.applicationId()).isEqualTo("app-1");
    assertThat(e.subject()).isEqualTo("alice");
  }

  @Test
  void rateLimitedRequestProducesOne429EventWithNothingRemaining() {
    harness.serve(TestRequest.get("/v1/invoices").header("X-API-Key", "key-123")
            .header("X-Test-Limit", "exhausted"),
        AuditHarness.policy("InvoiceResource.list", "/v1/invoices"), null);
    AuditEvent e = only(429);
    assertThat(e.outcome()).isEqualTo("rate_limited");
    assertThat(e.reason()).isEqualTo("plan_per_second");
    assertThat(e.rateLimitRemaining()).isZero();
    assertThat(e.applicationId()).isEqualTo("app-2");
    assertThat(e.authMethod()).isEqualTo("api_key");
  }

  @Test
  void applicationFailureProducesOne500ErrorEvent() {
    harness.serve(TestRequest.get("/v1/invoices").header("Authorization", "Bearer good"),
        AuditHarness.policy("InvoiceResource.list", "/v1/invoices"),
        new IllegalStateException("database on fire"));
    AuditEvent e = only(500);
    assertThat(e.outcome()).isEqualTo("error");
    assertThat(e.reason()).isEqualTo("IllegalStateException");
    assertThat(e.toJson()).doesNotContain("database on fire");
  }

  @Test
  void unavailableKeySourceProducesOne503Event() {
    harness.serve(TestRequest.get("/v1/invoices").header("Authorization", "Bearer outage"),
        AuditHarness.policy("InvoiceResource.list", "/v1/invoices"), null);
    AuditEvent e = only(503);
    assertThat(e.outcome()).isEqualTo("unavailable");
  }

  @Test
  void clientIpComesFromTheTrustedProxyRulesWhenTheRateLimiterSetIt() {
    var ex = harness.pipeline.begin(TestRequest.get("/v1/status").remoteAddress("10.0.0.1"),
        new dev.piste.core.internal.pipeline.OperationPolicy("status", "/v1/status", true,
            java.util.Set.of(), List.of(), true));
    ex.clientIp("203.0.113.9");
    harness.pipeline.complete(ex, 200, 0, 2, null);
    AuditEvent e = only(200);
    assertThat(e.clientIp()).isEqualTo("203.0.113.9");
    assertThat(e.authMethod()).isNull();
  }

  @Test
  void pathsExcludedByTheServletRulesAndUnauditedOperationsProduceNoEvent() {
    PathRules rules = PathRules.compile(List.of("/health/*"), null, null, List.of("/health/*"),
        "piste.token.public-paths", "piste.token.scope-rules", "piste.ratelimit.rules",
        "piste.audit.exclude-paths");
    harness.serve(TestRequest.get("/health/live"), rules.policyFor("GET", "/health/live"),
        null);
    harness.serve(TestRequest.get("/v1/quiet"),
        new dev.piste.core.internal.pipeline.OperationPolicy("quiet", "/v1/quiet", true,
            java.util.Set.of(), List.of(), false), null);
    harness.serve(TestRequest.get("/v1/invoices"), rules.policyFor("GET", "/v1/invoices"),
        null);
    AuditEvent e = only(401);
    assertThat(e.path()).isEqualTo("/v1/invoices");
  }

  /**
   * The MDC itself is not asserted here: slf4j-simple, the test binding, has a no-op MDC adapter.
   * Pipeline.begin puts requestId, traceId and spanId and Pipeline.complete removes them.
   */
  @Test
  void correlationIdsAreEchoedAndRecorded() {
    var ex = harness.pipeline.begin(TestRequest.get("/v1/invoices")
            .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            .header("X-Request-Id", "req-mdc"),
        AuditHarness.policy("InvoiceResource.list", "/v1/invoices"));
    harness.pipeline.complete(ex, 200, 0, 0, null);
    assertThat(ex.responseHeaders()).anySatisfy(h -> {
      assertThat(h.name()).isEqualTo("X-Request-Id");
      assertThat(h.value()).isEqualTo("req-mdc");
    });
    assertThat(ex.correlation().traceparent())
        .startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01")
        .doesNotContain("00f067aa0ba902b7");
    AuditEvent e = only(200);
    assertThat(e.requestId()).isEqualTo("req-mdc");
    assertThat(e.spanId()).isEqualTo(ex.correlation().spanId());
  }
}
