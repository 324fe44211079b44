package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.piste.audit.AuditEvent;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TestRequest;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every event the recorder writes is valid against the published JSON Schema. */
final class AuditEventSchemaTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static JsonSchema schema;

  @TempDir
  Path spool;

  @BeforeAll
  static void loadSchema() throws Exception {
    try (InputStream in = AuditEvent.class.getResourceAsStream(AuditEvent.SCHEMA_RESOURCE)) {
      assertThat(in).as("schema resource in piste-api").isNotNull();
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }

  private static void assertValid(AuditEvent e) throws Exception {
    JsonNode node = MAPPER.readTree(e.toJson());
    Set<ValidationMessage> errors = schema.validate(node);
    assertThat(errors).as(e.toJson()).isEmpty();
  }

  @Test
  void schemaDeclaresDraft2020AndItsVersion() throws Exception {
    try (InputStream in = AuditEvent.class.getResourceAsStream(AuditEvent.SCHEMA_RESOURCE)) {
      JsonNode s = MAPPER.readTree(in);
      assertThat(s.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
      assertThat(s.get("$id").asText()).endsWith("/" + AuditEvent.SCHEMA_VERSION + ".json");
      assertThat(s.at("/properties/schemaVersion/const").asInt()).isEqualTo(AuditEvent.SCHEMA_VERSION);
    }
  }

  @Test
  void eventsOfEveryOutcomeAreValid() throws Exception {
    MemoryAuditSink sink = new MemoryAuditSink();
    try (AuditHarness h = new AuditHarness(Map.of("piste.audit.spool-dir", spool.toString(),
        "piste.audit.flush-interval", "10ms", "piste.audit.query-values", "true",
        "piste.audit.body.enabled", "true"), sink)) {
      var list = AuditHarness.policy("InvoiceResource.list", "/v1/invoices");
      h.serve(TestRequest.of("POST", "/v1/invoices").query("a=1&token=x&b")
          .header("Authorization", "Bearer good").header("Content-Type", "application/json")
          .header("User-Agent", "x".repeat(400)), list, null, "{\"amount\":12,\"password\":\"p\"}");
      h.serve(TestRequest.get("/v1/invoices"), list, null);
      h.serve(TestRequest.get("/v1/invoices").header("Authorization", "Bearer expired"), list,
          null);
      h.serve(TestRequest.get("/v1/invoices").header("Authorization", "Bearer outage"), list,
          null);
      h.serve(TestRequest.get("/v1/invoices").header("Authorization", "Bearer good"),
          AuditHarness.policy("x", null, "admin"), null);
      h.serve(TestRequest.get("/v1/invoices").header("X-API-Key", "k")
          .header("X-Test-Limit", "exhausted"), list, null);
      h.serve(TestRequest.get("/v1/invoices").header("X-API-Key", "k"), list,
          new IllegalStateException());
      Poll.until(Duration.ofSeconds(10), () -> sink.size() == 7, () -> sink.size() + " events");
    }
    List<AuditEvent> events = sink.events();
    assertThat(events).extracting(AuditEvent::outcome).containsExactlyInAnyOrder("allowed",
        "missing_credential", "invalid_token", "unavailable", "insufficient_scope", "rate_limited",
        "error");
    for (AuditEvent e : events) {
      assertValid(e);
    }
  }

  @Test
  void aFullyPopulatedEventIsValidAndAMinimalOneToo() throws Exception {
    AuditEvent full = AuditEvent.builder()
        .eventId("0f8fad5b-d9cb-469f-a165-70867728950e")
        .timestamp(Instant.parse("2026-11-28T10:15:30.123Z"))
        .durationMicros(1234).requestId("r-1").traceId("4bf92f3577b34da6a3ce929d0e0e4736")
        .spanId("00f067aa0ba902b7").parentSpanId("a0f067aa0ba902b7").applicationId("app")
        .subject("sub").authMethod("introspection").apiId("invoices").apiVersion("1")
        .operationId("op").method("PUT").pathTemplate("/v1/x/{id}").path("/v1/x/1")
        .queryParams(List.of("a")).queryValues(Map.of("a", "\u00e9\"\n")).status(200)
        .outcome("allowed").reason("r").rateLimitRemaining(3L).requestBytes(10L)
        .responseBytes(20L).clientIp("::1").userAgent("ua").instanceId("i")
        .requestBody("{\"a\":1}").requestBodyTruncated(true).build();
    assertValid(full);
    AuditEvent minimal = AuditEvent.builder()
        .eventId("0f8fad5b-d9cb-469f-a165-70867728950e").timestamp(Instant.EPOCH)
        .requestId("r").traceId("4bf92f3577b34da6a3ce929d0e0e4736").spanId("00f067aa0ba902b7")
        .operationId("op").method("GET").path("/").status(401).outcome("missing_credential")
        .instanceId("i").build();
    assertValid(minimal);
    assertThat(minimal.toJson()).doesNotContain("null").doesNotContain("queryParams");
    assertThat(full.toJson()).contains("\"timestamp\":\"2026-11-28T10:15:30.123Z\"");
  }
}
