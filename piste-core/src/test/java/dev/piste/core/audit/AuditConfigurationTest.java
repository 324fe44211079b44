package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.PisteConfigurationException;
import dev.piste.audit.AuditSink;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.audit.AuditPipeline;
import dev.piste.core.testing.MemoryAuditSink;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AuditConfigurationTest {

  @TempDir
  Path dir;

  @Test
  void eachConfiguredSinkNeedsItsTarget() {
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.audit.sinks", "file, http, jdbc")))
        .isInstanceOf(PisteConfigurationException.class)
        .satisfies(e -> assertThat(((PisteConfigurationException) e).problems())
            .extracting(PisteConfigurationException.Problem::key)
            .contains("piste.audit.file.path", "piste.audit.http.url", "piste.audit.jdbc.url"));
  }

  @Test
  void unknownSinksTableNamesAndBatchesLargerThanTheQueueAreRejectedAtStartUp() {
    assertThatThrownBy(() -> PisteConfig.of(Map.of(
        "piste.audit.sinks", "slf4j, kafka",
        "piste.audit.logger", "audit",
        "piste.audit.jdbc.table", "audit; DROP TABLE x",
        "piste.audit.batch-size", "1000",
        "piste.audit.queue-size", "10",
        "piste.audit.file.max-size", "100")))
        .isInstanceOf(PisteConfigurationException.class)
        .satisfies(e -> assertThat(((PisteConfigurationException) e).problems())
            .extracting(PisteConfigurationException.Problem::key)
            .contains("piste.audit.sinks", "piste.audit.jdbc.table", "piste.audit.batch-size",
                "piste.audit.file.max-size"));
  }

  @Test
  void aBodyCaptureLargerThanASpoolRecordCanHoldIsRejectedAtStartUp() {
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.audit.body.max-size", "20MiB")))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("piste.audit.body.max-size").hasMessageContaining("at most 1MiB");
    PisteConfig.of(Map.of("piste.audit.body.max-size", "1MiB"));
  }

  @Test
  void aZeroHttpSinkTimeoutIsRejectedAtStartUpNamingTheKey() {
    for (String zero : new String[] {"0s", "0ms", "PT0S"}) {
      assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.audit.sinks", "http",
          "piste.audit.http.url", "http://localhost:9/events", "piste.audit.http.timeout", zero)))
          .isInstanceOf(PisteConfigurationException.class)
          .satisfies(e -> assertThat(((PisteConfigurationException) e).problems())
              .extracting(PisteConfigurationException.Problem::key)
              .containsExactly("piste.audit.http.timeout"))
          .hasMessageContaining("a positive duration");
    }
    PisteConfig.of(Map.of("piste.audit.sinks", "http",
        "piste.audit.http.url", "http://localhost:9/events", "piste.audit.http.timeout", "1ms"));
  }

  @Test
  void aSinkListedTwiceIsRejected() {
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.audit.sinks", "slf4j, slf4j")))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("each sink at most once");
  }

  @Test
  void theJdbcPasswordIsMaskedInTheConfigurationsText() {
    PisteConfig c = PisteConfig.of(Map.of("piste.audit.jdbc.password", "DBPASSWORD42"));
    assertThat(c.toString()).doesNotContain("DBPASSWORD42");
  }

  @Test
  void aBuilderSinkReplacesTheDefaultSlf4jSinkAndJoinsExplicitlyConfiguredOnes() throws Exception {
    MemoryAuditSink custom = new MemoryAuditSink();
    try (Piste p = Piste.builder().config(PisteConfig.of(Map.of(
        "piste.audit.spool-dir", dir.resolve("a").toString()))).auditSink(custom).build()) {
      p.start();
      assertThat(sinkDirectories(dir.resolve("a"))).containsExactly("custom-1");
    }
    try (Piste p = Piste.builder().config(PisteConfig.of(Map.of(
        "piste.audit.sinks", "slf4j",
        "piste.audit.spool-dir", dir.resolve("b").toString()))).auditSink(custom)
        .auditSink(AuditSink.none()).build()) {
      p.start();
      assertThat(sinkDirectories(dir.resolve("b"))).containsExactly("custom-1", "custom-2", "slf4j");
    }
  }

  @Test
  void auditingOffRecordsNothing() {
    try (Piste p = Piste.create(PisteConfig.of(Map.of("piste.audit.enabled", "false")))) {
      assertThat(p.pipeline()).isNotNull();
    }
    assertThat(dev.piste.core.internal.audit.AuditSinks.recorder(
        PisteConfig.of(Map.of("piste.audit.enabled", "false")), "i", java.util.List.of()))
        .isNotInstanceOf(AuditPipeline.class);
  }

  private static java.util.List<String> sinkDirectories(Path spool) throws Exception {
    try (var s = java.nio.file.Files.list(spool)) {
      return s.filter(java.nio.file.Files::isDirectory).map(x -> x.getFileName().toString())
          .sorted().toList();
    }
  }
}
