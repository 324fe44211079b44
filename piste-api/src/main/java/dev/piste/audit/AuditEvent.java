package dev.piste.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One audit event: who called which operation, when, and with what result. One is recorded per
 * request, allowed or denied. Immutable; built with {@link #builder()}.
 *
 * <p>Its JSON form ({@link #toJson()}) is one object per event, described by the JSON Schema
 * {@code dev/piste/audit/audit-event.schema.json} in this jar, version {@link #SCHEMA_VERSION}.
 * Fields without a value are left out. No field ever holds a credential, a cookie or a redacted
 * value: the recorder removes them before the event is built.
 */
public final class AuditEvent {

  /** The version of the event schema written in {@code schemaVersion}. */
  public static final int SCHEMA_VERSION = 1;

  /** The class path resource of the JSON Schema of the event. */
  public static final String SCHEMA_RESOURCE = "/dev/piste/audit/audit-event.schema.json";

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final String eventId;
  private final int schemaVersion;
  private final Instant timestamp;
  private final long durationMicros;
  private final String requestId;
  private final String traceId;
  private final String spanId;
  private final String parentSpanId;
  private final String applicationId;
  private final String subject;
  private final String authMethod;
  private final String apiId;
  private final String apiVersion;
  private final String operationId;
  private final String method;
  private final String pathTemplate;
  private final String path;
  private final List<String> queryParams;
  private final Map<String, String> queryValues;
  private final int status;
  private final String outcome;
  private final String reason;
  private final Long rateLimitRemaining;
  private final Long requestBytes;
  private final Long responseBytes;
  private final String clientIp;
  private final String userAgent;
  private final String instanceId;
  private final String requestBody;
  private final boolean requestBodyTruncated;
  /** The JSON form, written once when the event is built (where its values are still warm). */
  private final byte[] json;

  private AuditEvent(Builder b) {
    this.eventId = Objects.requireNonNull(b.eventId, "eventId");
    this.schemaVersion = b.schemaVersion;
    this.timestamp = Objects.requireNonNull(b.timestamp, "timestamp").truncatedTo(ChronoUnit.MILLIS);
    this.durationMicros = b.durationMicros;
    this.requestId = b.requestId;
    this.traceId = b.traceId;
    this.spanId = b.spanId;
    this.parentSpanId = b.parentSpanId;
    this.applicationId = b.applicationId;
    this.subject = b.subject;
    this.authMethod = b.authMethod;
    this.apiId = b.apiId;
    this.apiVersion = b.apiVersion;
    this.operationId = b.operationId;
    this.method = b.method;
    this.pathTemplate = b.pathTemplate;
    this.path = b.path;
    this.queryParams = b.queryParams == null ? List.of() : List.copyOf(b.queryParams);
    this.queryValues = b.queryValues == null || b.queryValues.isEmpty() ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(b.queryValues));
    this.status = b.status;
    this.outcome = Objects.requireNonNull(b.outcome, "outcome");
    this.reason = b.reason;
    this.rateLimitRemaining = b.rateLimitRemaining;
    this.requestBytes = b.requestBytes;
    this.responseBytes = b.responseBytes;
    this.clientIp = b.clientIp;
    this.userAgent = b.userAgent;
    this.instanceId = b.instanceId;
    this.requestBody = b.requestBody;
    this.requestBodyTruncated = b.requestBodyTruncated;
    this.json = encode();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every field of this event. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.eventId = eventId;
    b.schemaVersion = schemaVersion;
    b.timestamp = timestamp;
    b.durationMicros = durationMicros;
    b.requestId = requestId;
    b.traceId = traceId;
    b.spanId = spanId;
    b.parentSpanId = parentSpanId;
    b.applicationId = applicationId;
    b.subject = subject;
    b.authMethod = authMethod;
    b.apiId = apiId;
    b.apiVersion = apiVersion;
    b.operationId = operationId;
    b.method = method;
    b.pathTemplate = pathTemplate;
    b.path = path;
    b.queryParams = queryParams;
    b.queryValues = queryValues;
    b.status = status;
    b.outcome = outcome;
    b.reason = reason;
    b.rateLimitRemaining = rateLimitRemaining;
    b.requestBytes = requestBytes;
    b.responseBytes = responseBytes;
    b.clientIp = clientIp;
    b.userAgent = userAgent;
    b.instanceId = instanceId;
    b.requestBody = requestBody;
    b.requestBodyTruncated = requestBodyTruncated;
    return b;
  }

  /** Unique id of the event, for de-duplication of an at-least-once delivery. */
  public String eventId() {
    return eventId;
  }

  public int schemaVersion() {
    return schemaVersion;
  }

  /** When the request entered the library (UTC, millisecond precision). */
  public Instant timestamp() {
    return timestamp;
  }

  public long durationMicros() {
    return durationMicros;
  }

  /** The {@code X-Request-Id}, accepted or generated. */
  public String requestId() {
    return requestId;
  }

  /** The W3C trace id (32 hex digits). */
  public String traceId() {
    return traceId;
  }

  /** This hop's span id (16 hex digits). */
  public String spanId() {
    return spanId;
  }

  /** The caller's span id from {@code traceparent}, or {@code null}. */
  public String parentSpanId() {
    return parentSpanId;
  }

  public String applicationId() {
    return applicationId;
  }

  public String subject() {
    return subject;
  }

  /** {@code jwt}, {@code introspection}, {@code api_key}, {@code none}, or {@code null} when no credential was accepted. */
  public String authMethod() {
    return authMethod;
  }

  public String apiId() {
    return apiId;
  }

  public String apiVersion() {
    return apiVersion;
  }

  public String operationId() {
    return operationId;
  }

  public String method() {
    return method;
  }

  public String pathTemplate() {
    return pathTemplate;
  }

  public String path() {
    return path;
  }

  /** Names of the query parameters, in order of first appearance; never {@code null}. */
  public List<String> queryParams() {
    return queryParams;
  }

  /** Query values, only when allowed by configuration and never for redacted names; never {@code null}. */
  public Map<String, String> queryValues() {
    return queryValues;
  }

  /** The HTTP status of the response. */
  public int status() {
    return status;
  }

  /** {@code allowed}, {@code missing_credential}, {@code invalid_token}, ... ({@code dev.piste.Outcome#code()}). */
  public String outcome() {
    return outcome;
  }

  /** A short machine reason for the outcome, or {@code null}. */
  public String reason() {
    return reason;
  }

  /** Tokens left in the most restrictive limit after the request, or {@code null} when none applied. */
  public Long rateLimitRemaining() {
    return rateLimitRemaining;
  }

  /** Request body bytes, or {@code null} when unknown. */
  public Long requestBytes() {
    return requestBytes;
  }

  /** Response body bytes, or {@code null} when unknown. */
  public Long responseBytes() {
    return responseBytes;
  }

  public String clientIp() {
    return clientIp;
  }

  public String userAgent() {
    return userAgent;
  }

  /** The id of the instance that served the request. */
  public String instanceId() {
    return instanceId;
  }

  /** The captured, redacted request body, or {@code null} (capture is off by default). */
  public String requestBody() {
    return requestBody;
  }

  /** Whether the captured body was cut at the configured maximum size. */
  public boolean requestBodyTruncated() {
    return requestBodyTruncated;
  }

  /** The event as one compact JSON object, without line breaks, fields without value left out. */
  public String toJson() {
    return new String(json, StandardCharsets.UTF_8);
  }

  /**
   * The UTF-8 bytes of {@link #toJson()}, a new array at each call. The JSON form is written once,
   * when the event is built: on the request thread, where its values were just produced, rather than
   * by each sink's thread from memory another core wrote.
   */
  public byte[] toJsonBytes() {
    return json.clone();
  }

  /** The number of bytes of {@link #toJsonBytes()}. */
  public int jsonLength() {
    return json.length;
  }

  /**
   * Puts the bytes of {@link #toJsonBytes()} into {@code target} at its position, which advances by
   * {@link #jsonLength()}: for a sink that assembles many events in one buffer, without a copy of
   * each event's bytes.
   *
   * @throws java.nio.BufferOverflowException when {@code target} has fewer than {@link
   *     #jsonLength()} bytes remaining; nothing is written then
   * @throws java.nio.ReadOnlyBufferException when {@code target} is read-only
   */
  public void writeJson(ByteBuffer target) {
    target.put(json);
  }

  private byte[] encode() {
    JsonBytes j = JsonBytes.acquire();
    try {
      return encode(j);
    } finally {
      j.release();
    }
  }

  private byte[] encode(JsonBytes j) {
    j.raw(F_EVENT_ID).string(eventId);
    j.raw(F_SCHEMA_VERSION).number(schemaVersion);
    j.raw(F_TIMESTAMP).timestamp(timestamp, TIMESTAMP);
    j.raw(F_DURATION_MICROS).number(durationMicros);
    field(j, F_REQUEST_ID, requestId);
    field(j, F_TRACE_ID, traceId);
    field(j, F_SPAN_ID, spanId);
    field(j, F_PARENT_SPAN_ID, parentSpanId);
    shared(j, F_APPLICATION_ID, applicationId);
    shared(j, F_SUBJECT, subject);
    shared(j, F_AUTH_METHOD, authMethod);
    shared(j, F_API_ID, apiId);
    shared(j, F_API_VERSION, apiVersion);
    shared(j, F_OPERATION_ID, operationId);
    shared(j, F_METHOD, method);
    shared(j, F_PATH_TEMPLATE, pathTemplate);
    field(j, F_PATH, path);
    if (!queryParams.isEmpty()) {
      j.raw(F_QUERY_PARAMS).raw('[');
      for (int i = 0; i < queryParams.size(); i++) {
        if (i > 0) {
          j.raw(',');
        }
        j.string(queryParams.get(i));
      }
      j.raw(']');
    }
    if (!queryValues.isEmpty()) {
      j.raw(F_QUERY_VALUES).raw('{');
      boolean first = true;
      for (Map.Entry<String, String> e : queryValues.entrySet()) {
        if (!first) {
          j.raw(',');
        }
        first = false;
        j.string(e.getKey()).raw(':').string(e.getValue());
      }
      j.raw('}');
    }
    j.raw(F_STATUS).number(status);
    shared(j, F_OUTCOME, outcome);
    shared(j, F_REASON, reason);
    number(j, F_RATE_LIMIT_REMAINING, rateLimitRemaining);
    number(j, F_REQUEST_BYTES, requestBytes);
    number(j, F_RESPONSE_BYTES, responseBytes);
    field(j, F_CLIENT_IP, clientIp);
    field(j, F_USER_AGENT, userAgent);
    shared(j, F_INSTANCE_ID, instanceId);
    field(j, F_REQUEST_BODY, requestBody);
    if (requestBodyTruncated) {
      j.raw(F_REQUEST_BODY_TRUNCATED);
    }
    return j.raw('}').toByteArray();
  }

  private static void field(JsonBytes j, byte[] name, String value) {
    if (value != null) {
      j.raw(name).string(value);
    }
  }

  private static void shared(JsonBytes j, byte[] name, String value) {
    if (value != null) {
      j.raw(name).shared(value);
    }
  }

  private static void number(JsonBytes j, byte[] name, Long value) {
    if (value != null) {
      j.raw(name).number(value.longValue());
    }
  }

  /** {@code ,"name":} (or {@code {"name":} for the first field), as bytes. */
  private static byte[] name(String name, boolean first) {
    return ((first ? "{\"" : ",\"") + name + "\":").getBytes(StandardCharsets.US_ASCII);
  }

  private static final byte[] F_EVENT_ID = name("eventId", true);
  private static final byte[] F_SCHEMA_VERSION = name("schemaVersion", false);
  private static final byte[] F_TIMESTAMP = name("timestamp", false);
  private static final byte[] F_DURATION_MICROS = name("durationMicros", false);
  private static final byte[] F_REQUEST_ID = name("requestId", false);
  private static final byte[] F_TRACE_ID = name("traceId", false);
  private static final byte[] F_SPAN_ID = name("spanId", false);
  private static final byte[] F_PARENT_SPAN_ID = name("parentSpanId", false);
  private static final byte[] F_APPLICATION_ID = name("applicationId", false);
  private static final byte[] F_SUBJECT = name("subject", false);
  private static final byte[] F_AUTH_METHOD = name("authMethod", false);
  private static final byte[] F_API_ID = name("apiId", false);
  private static final byte[] F_API_VERSION = name("apiVersion", false);
  private static final byte[] F_OPERATION_ID = name("operationId", false);
  private static final byte[] F_METHOD = name("method", false);
  private static final byte[] F_PATH_TEMPLATE = name("pathTemplate", false);
  private static final byte[] F_PATH = name("path", false);
  private static final byte[] F_QUERY_PARAMS = name("queryParams", false);
  private static final byte[] F_QUERY_VALUES = name("queryValues", false);
  private static final byte[] F_STATUS = name("status", false);
  private static final byte[] F_OUTCOME = name("outcome", false);
  private static final byte[] F_REASON = name("reason", false);
  private static final byte[] F_RATE_LIMIT_REMAINING = name("rateLimitRemaining", false);
  private static final byte[] F_REQUEST_BYTES = name("requestBytes", false);
  private static final byte[] F_RESPONSE_BYTES = name("responseBytes", false);
  private static final byte[] F_CLIENT_IP = name("clientIp", false);
  private static final byte[] F_USER_AGENT = name("userAgent", false);
  private static final byte[] F_INSTANCE_ID = name("instanceId", false);
  private static final byte[] F_REQUEST_BODY = name("requestBody", false);
  private static final byte[] F_REQUEST_BODY_TRUNCATED =
      ",\"requestBodyTruncated\":true".getBytes(StandardCharsets.US_ASCII);

  @Override
  public boolean equals(Object o) {
    return o instanceof AuditEvent e && Arrays.equals(json, e.json);
  }

  @Override
  public int hashCode() {
    return eventId.hashCode();
  }

  /** The event's JSON form. */
  @Override
  public String toString() {
    return toJson();
  }

  /** Builds an {@link AuditEvent}; {@code eventId}, {@code timestamp} and {@code outcome} are required. */
  public static final class Builder {
    private String eventId;
    private int schemaVersion = SCHEMA_VERSION;
    private Instant timestamp;
    private long durationMicros;
    private String requestId;
    private String traceId;
    private String spanId;
    private String parentSpanId;
    private String applicationId;
    private String subject;
    private String authMethod;
    private String apiId;
    private String apiVersion;
    private String operationId;
    private String method;
    private String pathTemplate;
    private String path;
    private List<String> queryParams;
    private Map<String, String> queryValues;
    private int status;
    private String outcome;
    private String reason;
    private Long rateLimitRemaining;
    private Long requestBytes;
    private Long responseBytes;
    private String clientIp;
    private String userAgent;
    private String instanceId;
    private String requestBody;
    private boolean requestBodyTruncated;

    private Builder() {}

    public Builder eventId(String eventId) {
      this.eventId = eventId;
      return this;
    }

    /** The schema version; {@link #SCHEMA_VERSION} unless re-reading an older event. */
    public Builder schemaVersion(int schemaVersion) {
      this.schemaVersion = schemaVersion;
      return this;
    }

    public Builder timestamp(Instant timestamp) {
      this.timestamp = timestamp;
      return this;
    }

    public Builder durationMicros(long durationMicros) {
      this.durationMicros = durationMicros;
      return this;
    }

    public Builder requestId(String requestId) {
      this.requestId = requestId;
      return this;
    }

    public Builder traceId(String traceId) {
      this.traceId = traceId;
      return this;
    }

    public Builder spanId(String spanId) {
      this.spanId = spanId;
      return this;
    }

    public Builder parentSpanId(String parentSpanId) {
      this.parentSpanId = parentSpanId;
      return this;
    }

    public Builder applicationId(String applicationId) {
      this.applicationId = applicationId;
      return this;
    }

    public Builder subject(String subject) {
      this.subject = subject;
      return this;
    }

    public Builder authMethod(String authMethod) {
      this.authMethod = authMethod;
      return this;
    }

    public Builder apiId(String apiId) {
      this.apiId = apiId;
      return this;
    }

    public Builder apiVersion(String apiVersion) {
      this.apiVersion = apiVersion;
      return this;
    }

    public Builder operationId(String operationId) {
      this.operationId = operationId;
      return this;
    }

    public Builder method(String method) {
      this.method = method;
      return this;
    }

    public Builder pathTemplate(String pathTemplate) {
      this.pathTemplate = pathTemplate;
      return this;
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder queryParams(List<String> names) {
      this.queryParams = names;
      return this;
    }

    public Builder queryValues(Map<String, String> values) {
      this.queryValues = values;
      return this;
    }

    public Builder status(int status) {
      this.status = status;
      return this;
    }

    public Builder outcome(String outcome) {
      this.outcome = outcome;
      return this;
    }

    public Builder reason(String reason) {
      this.reason = reason;
      return this;
    }

    public Builder rateLimitRemaining(Long remaining) {
      this.rateLimitRemaining = remaining;
      return this;
    }

    public Builder requestBytes(Long bytes) {
      this.requestBytes = bytes;
      return this;
    }

    public Builder responseBytes(Long bytes) {
      this.responseBytes = bytes;
      return this;
    }

    public Builder clientIp(String clientIp) {
      this.clientIp = clientIp;
      return this;
    }

    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    public Builder instanceId(String instanceId) {
      this.instanceId = instanceId;
      return this;
    }

    public Builder requestBody(String body) {
      this.requestBody = body;
      return this;
    }

    public Builder requestBodyTruncated(boolean truncated) {
      this.requestBodyTruncated = truncated;
      return this;
    }

    public AuditEvent build() {
      return new AuditEvent(this);
    }
  }
}
