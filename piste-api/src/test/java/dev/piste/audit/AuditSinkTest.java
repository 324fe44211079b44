package dev.piste.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class AuditSinkTest {

  static AuditEvent event() {
    return AuditEvent.builder().eventId("0f8fad5b-d9cb-469f-a165-70867728950e")
        .timestamp(Instant.parse("2026-11-28T10:15:30.123456Z")).outcome("allowed").status(200)
        .build();
  }

  @Test
  void allWritesToEverySinkAndRethrowsTheFirstFailureAfterTryingThemAll() {
    List<String> calls = new ArrayList<>();
    AuditSink ok = batch -> calls.add("ok" + batch.size());
    AuditSink bad1 = batch -> {
      calls.add("bad1");
      throw new IllegalStateException("one");
    };
    AuditSink bad2 = batch -> {
      calls.add("bad2");
      throw new IllegalStateException("two");
    };
    assertThatThrownBy(() -> AuditSink.all(bad1, ok, bad2).write(List.of(event())))
        .hasMessage("one")
        .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
            .containsExactly("two"));
    assertThat(calls).containsExactly("bad1", "ok1", "bad2");
  }

  @Test
  void allReportsTheRefusalsOfEverySinkUnlessOneFailedThenTheBatchIsWrittenAgain() {
    AuditSink refusesA = batch -> {
      throw new RejectedEventsException("a", List.of("e1"));
    };
    AuditSink refusesB = batch -> {
      throw new RejectedEventsException("b", List.of("e2", "e1"));
    };
    AuditSink fails = batch -> {
      throw new IllegalStateException("down");
    };
    assertThatThrownBy(() -> AuditSink.all(refusesA, refusesB).write(List.of(event())))
        .isInstanceOfSatisfying(RejectedEventsException.class,
            e -> assertThat(e.eventIds()).containsExactly("e1", "e2"));
    assertThatThrownBy(() -> AuditSink.all(refusesA, fails).write(List.of(event())))
        .as("a failure wins: the batch is written again to every sink")
        .isInstanceOf(IllegalStateException.class).hasMessage("down");
  }

  @Test
  void noneAndLoggingAcceptEveryBatch() throws Exception {
    AuditSink.none().write(List.of(event()));
    AuditSink.logging().write(List.of(event()));
    AuditSink.none().close();
  }

  @Test
  void eventsAreValuesWithMillisecondTimestampsAndEscapedJson() {
    AuditEvent e = event().toBuilder().path("/a\"b\\c\n\u0001").build();
    assertThat(e).isEqualTo(e.toBuilder().build()).hasSameHashCodeAs(e.toBuilder().build());
    assertThat(e.timestamp()).isEqualTo(Instant.parse("2026-11-28T10:15:30.123Z"));
    assertThat(e.toJson()).contains("\"timestamp\":\"2026-11-28T10:15:30.123Z\"")
        .contains("\"path\":\"/a\\\"b\\\\c\\n\\u0001\"").doesNotContain("null");
    assertThat(e.schemaVersion()).isEqualTo(AuditEvent.SCHEMA_VERSION);
    assertThat(e.queryParams()).isEmpty();
    assertThat(e.queryValues()).isEmpty();
    assertThat(AuditEvent.class.getResource(AuditEvent.SCHEMA_RESOURCE)).isNotNull();
  }

  @Test
  void eventIdTimestampAndOutcomeAreRequired() {
    assertThatThrownBy(() -> AuditEvent.builder().outcome("allowed").timestamp(Instant.EPOCH).build())
        .isInstanceOf(NullPointerException.class).hasMessage("eventId");
  }
}
