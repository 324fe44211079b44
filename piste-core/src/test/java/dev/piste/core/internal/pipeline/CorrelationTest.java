package dev.piste.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.testing.TestRequest;
import org.junit.jupiter.api.Test;

/** W3C Trace Context (traceparent) and X-Request-Id handling. */
final class CorrelationTest {

  @Test
  void acceptsAValidTraceparentAndMakesAChildSpan() {
    Correlation c = Correlation.of(TestRequest.get("/x")
        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertThat(c.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(c.parentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(c.spanId()).hasSize(16).isNotEqualTo("00f067aa0ba902b7");
    assertThat(c.traceparent()).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01");
  }

  @Test
  void ignoresAnInvalidTraceparentAndStartsANewTrace() {
    Correlation c = Correlation.of(TestRequest.get("/x")
        .header("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
    assertThat(c.parentSpanId()).isNull();
    assertThat(c.traceId()).matches("[0-9a-f]{32}").isNotEqualTo("00000000000000000000000000000000");
  }

  @Test
  void echoesAWellFormedRequestIdAndReplacesAHostileOne() {
    assertThat(Correlation.of(TestRequest.get("/x").header("X-Request-Id", "abc-123")).requestId())
        .isEqualTo("abc-123");
    assertThat(Correlation.of(TestRequest.get("/x").header("X-Request-Id", "abc\r\nSet-Cookie: x")).requestId())
        .matches("[0-9a-f]{32}");
  }
}
