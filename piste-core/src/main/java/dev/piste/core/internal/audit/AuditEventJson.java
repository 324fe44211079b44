package dev.piste.core.internal.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.audit.AuditEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads back the JSON form of {@link AuditEvent#toJson()} (spool records). */
final class AuditEventJson {
  private AuditEventJson() {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static AuditEvent parse(byte[] json, int off, int len) throws IOException {
    JsonNode n = MAPPER.readTree(json, off, len);
    if (n == null || !n.isObject()) {
      throw new IOException("not a JSON object");
    }
    AuditEvent.Builder b = AuditEvent.builder()
        .eventId(text(n, "eventId"))
        .schemaVersion(n.path("schemaVersion").asInt(AuditEvent.SCHEMA_VERSION))
        .timestamp(Instant.parse(text(n, "timestamp")))
        .durationMicros(n.path("durationMicros").asLong())
        .requestId(text(n, "requestId"))
        .traceId(text(n, "traceId"))
        .spanId(text(n, "spanId"))
        .parentSpanId(text(n, "parentSpanId"))
        .applicationId(text(n, "applicationId"))
        .subject(text(n, "subject"))
        .authMethod(text(n, "authMethod"))
        .apiId(text(n, "apiId"))
        .apiVersion(text(n, "apiVersion"))
        .operationId(text(n, "operationId"))
        .method(text(n, "method"))
        .pathTemplate(text(n, "pathTemplate"))
        .path(text(n, "path"))
        .status(n.path("status").asInt())
        .outcome(text(n, "outcome"))
        .reason(text(n, "reason"))
        .rateLimitRemaining(number(n, "rateLimitRemaining"))
        .requestBytes(number(n, "requestBytes"))
        .responseBytes(number(n, "responseBytes"))
        .clientIp(text(n, "clientIp"))
        .userAgent(text(n, "userAgent"))
        .instanceId(text(n, "instanceId"))
        .requestBody(text(n, "requestBody"))
        .requestBodyTruncated(n.path("requestBodyTruncated").asBoolean(false));
    JsonNode q = n.get("queryParams");
    if (q != null && q.isArray()) {
      List<String> names = new ArrayList<>(q.size());
      q.forEach(e -> names.add(e.asText()));
      b.queryParams(names);
    }
    JsonNode v = n.get("queryValues");
    if (v != null && v.isObject()) {
      Map<String, String> values = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : v.properties()) {
        values.put(e.getKey(), e.getValue().asText());
      }
      b.queryValues(values);
    }
    return b.build();
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Long number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asLong();
  }
}
