package dev.piste.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The byte writer of {@link AuditEvent#toJsonBytes()} against a plain character-by-character
 * reference of the same format, on random events whose strings cover every escaping rule, non-Latin
 * text, surrogate pairs and lone surrogates.
 */
final class AuditEventJsonTest {

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void bytesAreTheUtf8OfAPlainCharacterByCharacterWriterForRandomEvents() {
    SplittableRandom random = new SplittableRandom(20261201);
    for (int n = 0; n < 5_000; n++) {
      AuditEvent e = randomEvent(random);
      byte[] expected = reference(e).getBytes(StandardCharsets.UTF_8);
      assertThat(e.toJsonBytes()).as("event %d", n).isEqualTo(expected);
      assertThat(e.toJson()).isEqualTo(new String(expected, StandardCharsets.UTF_8));
    }
  }

  @Test
  void valuesSharedByManyEventsAreWrittenAsThemselvesWhateverTheirCacheSlot() {
    SplittableRandom random = new SplittableRandom(42);
    String[] pool = new String[300];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = text(random);
    }
    for (int n = 0; n < 5_000; n++) {
      AuditEvent e = AuditSinkTest.event().toBuilder()
          .applicationId(pool[random.nextInt(pool.length)]).subject(pool[random.nextInt(pool.length)])
          .apiId(pool[random.nextInt(3)]).operationId(pool[random.nextInt(pool.length)])
          .method(pool[random.nextInt(pool.length)]).reason(new String(pool[random.nextInt(5)]))
          .build();
      assertThat(e.toJsonBytes()).as("event %d", n)
          .isEqualTo(reference(e).getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void escapesQuotesBackslashesControlsDelAndTheUnicodeLineSeparators() {
    AuditEvent e = AuditSinkTest.event().toBuilder()
        .path("a\"b\\c\n\r\t\u0000\u001f\u007f\u2028\u2029\u2027\u202a\u00e9\u20ac\ud83d\ude00").build();
    assertThat(e.toJson()).contains("\"path\":\"a\\\"b\\\\c\\n\\r\\t\\u0000\\u001f\\u007f"
        + "\\u2028\\u2029\u2027\u202a\u00e9\u20ac\ud83d\ude00\"");
  }

  @Test
  void timestampsKeepTheFormattersFormAcrossTheCalendarAndBeyondFourDigitYears() {
    SplittableRandom random = new SplittableRandom(7);
    List<Instant> instants = new java.util.ArrayList<>(List.of(Instant.EPOCH,
        Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999Z"),
        Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T23:59:59.001Z"),
        Instant.parse("1969-12-31T23:59:59.999Z"), Instant.parse("2028-02-29T12:00:00.5Z")));
    for (int i = 0; i < 2_000; i++) {
      instants.add(Instant.ofEpochMilli(random.nextLong(-62_000_000_000_000L, 253_000_000_000_000L)));
    }
    for (Instant t : instants) {
      AuditEvent e = AuditSinkTest.event().toBuilder().timestamp(t).build();
      assertThat(e.toJson()).as("%s", t)
          .contains("\"timestamp\":\"" + TIMESTAMP.format(e.timestamp()) + "\"");
    }
  }

  @Test
  void consecutiveTimestampsOfOneDayAndAcrossMidnightKeepTheFormattersForm() {
    // the writer keeps the date of the last day it wrote: same day, next day, a year it leaves to
    // the formatter, then back
    Instant day = Instant.parse("2026-12-31T10:00:00.001Z");
    List<Instant> sequence = List.of(day, Instant.parse("2026-12-31T23:59:59.999Z"),
        Instant.parse("2027-01-01T00:00:00Z"), Instant.parse("+10000-01-01T00:00:00Z"),
        Instant.parse("2027-01-01T00:00:01.010Z"), day, Instant.parse("2026-12-31T12:34:56.789Z"));
    for (Instant t : sequence) {
      AuditEvent e = AuditSinkTest.event().toBuilder().timestamp(t).build();
      assertThat(e.toJson()).as("%s", t)
          .contains("\"timestamp\":\"" + TIMESTAMP.format(e.timestamp()) + "\"");
    }
  }

  @Test
  void writeJsonPutsTheSameBytesIntoABufferAndNothingWhenTheyDoNotFit() {
    AuditEvent e = AuditSinkTest.event();
    byte[] bytes = e.toJsonBytes();
    assertThat(e.jsonLength()).isEqualTo(bytes.length);

    java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(bytes.length + 3);
    direct.put((byte) 'x');
    e.writeJson(direct);
    assertThat(direct.position()).isEqualTo(1 + bytes.length);
    byte[] written = new byte[bytes.length];
    direct.flip().position(1);
    direct.get(written);
    assertThat(written).isEqualTo(bytes);

    java.nio.ByteBuffer small = java.nio.ByteBuffer.allocate(bytes.length - 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> e.writeJson(small))
        .isInstanceOf(java.nio.BufferOverflowException.class);
    assertThat(small.position()).isZero();
  }

  @Test
  void eachEventKeepsItsOwnBytesWhateverTheSizeOfTheEventsBeforeIt() {
    AuditEvent small = AuditSinkTest.event();
    byte[] smallBytes = reference(small).getBytes(StandardCharsets.UTF_8);
    AuditEvent large = small.toBuilder().path("/" + "p".repeat(20_000)).build();
    AuditEvent afterLarge = small.toBuilder().build();
    AuditEvent larger = small.toBuilder().path("/" + "q".repeat(40_000)).build();

    assertThat(small.toJsonBytes()).isEqualTo(smallBytes);
    assertThat(afterLarge.toJsonBytes()).isEqualTo(smallBytes);
    assertThat(afterLarge.jsonLength()).isEqualTo(smallBytes.length);
    assertThat(afterLarge).isEqualTo(small).hasSameHashCodeAs(small).isNotEqualTo(large);
    assertThat(large.toJsonBytes()).isEqualTo(reference(large).getBytes(StandardCharsets.UTF_8));
    assertThat(larger.toJsonBytes()).isEqualTo(reference(larger).getBytes(StandardCharsets.UTF_8));
    assertThat(small.toJsonBytes()).as("a copy each time").isNotSameAs(small.toJsonBytes());
  }

  @Test
  void aWriterAskedForWhileTheThreadsOwnIsInUseIsAnotherOne() {
    JsonBytes first = JsonBytes.acquire();
    JsonBytes second = JsonBytes.acquire();
    assertThat(second).isNotSameAs(first);
    second.release();
    first.release();
    JsonBytes again = JsonBytes.acquire();
    assertThat(again).isSameAs(first);
    again.release();
  }

  @Test
  void numbersCoverTheWholeLongRange() {
    for (long v : new long[] {0, 1, 9, 10, -1, -10, 999_999_999, 1_000_000_000_000_000_000L,
        Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1}) {
      AuditEvent e = AuditSinkTest.event().toBuilder().durationMicros(v).rateLimitRemaining(v).build();
      assertThat(e.toJson()).contains("\"durationMicros\":" + v + ",")
          .contains("\"rateLimitRemaining\":" + v + "}");
    }
  }

  private static AuditEvent randomEvent(SplittableRandom r) {
    AuditEvent.Builder b = AuditEvent.builder().eventId(text(r))
        .timestamp(Instant.ofEpochMilli(r.nextLong(0, 4_102_444_800_000L)))
        .durationMicros(r.nextLong(0, 10_000_000)).outcome(text(r)).status(r.nextInt(100, 600));
    if (r.nextBoolean()) {
      b.requestId(text(r)).traceId(text(r)).spanId(text(r));
    }
    if (r.nextBoolean()) {
      b.parentSpanId(text(r));
    }
    if (r.nextBoolean()) {
      b.applicationId(text(r)).subject(text(r)).authMethod(text(r));
    }
    b.apiId(text(r)).apiVersion(r.nextBoolean() ? text(r) : null).operationId(text(r))
        .method(text(r)).pathTemplate(text(r)).path(text(r)).reason(r.nextBoolean() ? text(r) : null)
        .clientIp(text(r)).instanceId(text(r));
    if (r.nextBoolean()) {
      b.queryParams(List.of(text(r), text(r)));
      Map<String, String> values = new LinkedHashMap<>();
      values.put(text(r), text(r));
      values.put(text(r) + "x", text(r));
      b.queryValues(values);
    }
    if (r.nextBoolean()) {
      b.rateLimitRemaining(r.nextLong(-1, Long.MAX_VALUE)).requestBytes(r.nextLong(0, 1 << 20))
          .responseBytes(r.nextLong(0, 1 << 20));
    }
    if (r.nextBoolean()) {
      b.userAgent(text(r)).requestBody(text(r)).requestBodyTruncated(r.nextBoolean());
    }
    return b.build();
  }

  /** Mostly ASCII, with every character class the escaping distinguishes. */
  private static String text(SplittableRandom r) {
    int n = r.nextInt(0, 40);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(12)) {
        case 0 -> sb.append((char) r.nextInt(0, 0x20));
        case 1 -> sb.append(r.nextBoolean() ? '"' : '\\');
        case 2 -> sb.append((char) r.nextInt(0x7f, 0x800));
        case 3 -> sb.append((char) (0x2026 + r.nextInt(6)));
        case 4 -> sb.append((char) r.nextInt(0x800, 0xd800));
        case 5 -> sb.appendCodePoint(r.nextInt(0x10000, 0x110000));
        case 6 -> sb.append((char) r.nextInt(0xd800, 0xe000));
        case 7 -> sb.append((char) r.nextInt(0xe000, 0x10000));
        default -> sb.append((char) r.nextInt(0x20, 0x7f));
      }
    }
    return sb.toString();
  }

  /** The format written plainly, one character at a time. */
  private static String reference(AuditEvent e) {
    StringBuilder sb = new StringBuilder("{\"eventId\":");
    quote(sb, e.eventId());
    sb.append(",\"schemaVersion\":").append(e.schemaVersion());
    sb.append(",\"timestamp\":\"").append(TIMESTAMP.format(e.timestamp())).append('"');
    sb.append(",\"durationMicros\":").append(e.durationMicros());
    field(sb, "requestId", e.requestId());
    field(sb, "traceId", e.traceId());
    field(sb, "spanId", e.spanId());
    field(sb, "parentSpanId", e.parentSpanId());
    field(sb, "applicationId", e.applicationId());
    field(sb, "subject", e.subject());
    field(sb, "authMethod", e.authMethod());
    field(sb, "apiId", e.apiId());
    field(sb, "apiVersion", e.apiVersion());
    field(sb, "operationId", e.operationId());
    field(sb, "method", e.method());
    field(sb, "pathTemplate", e.pathTemplate());
    field(sb, "path", e.path());
    if (!e.queryParams().isEmpty()) {
      sb.append(",\"queryParams\":[");
      for (int i = 0; i < e.queryParams().size(); i++) {
        sb.append(i > 0 ? "," : "");
        quote(sb, e.queryParams().get(i));
      }
      sb.append(']');
    }
    if (!e.queryValues().isEmpty()) {
      sb.append(",\"queryValues\":{");
      String sep = "";
      for (Map.Entry<String, String> v : e.queryValues().entrySet()) {
        sb.append(sep);
        sep = ",";
        quote(sb, v.getKey());
        sb.append(':');
        quote(sb, v.getValue());
      }
      sb.append('}');
    }
    sb.append(",\"status\":").append(e.status());
    field(sb, "outcome", e.outcome());
    field(sb, "reason", e.reason());
    number(sb, "rateLimitRemaining", e.rateLimitRemaining());
    number(sb, "requestBytes", e.requestBytes());
    number(sb, "responseBytes", e.responseBytes());
    field(sb, "clientIp", e.clientIp());
    field(sb, "userAgent", e.userAgent());
    field(sb, "instanceId", e.instanceId());
    field(sb, "requestBody", e.requestBody());
    if (e.requestBodyTruncated()) {
      sb.append(",\"requestBodyTruncated\":true");
    }
    return sb.append('}').toString();
  }

  private static void field(StringBuilder sb, String name, String value) {
    if (value != null) {
      sb.append(",\"").append(name).append("\":");
      quote(sb, value);
    }
  }

  private static void number(StringBuilder sb, String name, Long value) {
    if (value != null) {
      sb.append(",\"").append(name).append("\":").append(value.longValue());
    }
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
