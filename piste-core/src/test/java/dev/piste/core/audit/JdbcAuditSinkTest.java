package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.core.testing.PostgresFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JDBC sink against a real PostgreSQL, into the table layouts the README gives. */
final class JdbcAuditSinkTest {

  /** The README's partitioned table, one partition a day (copied there from here). */
  static final String PARTITIONED_DDL = """
      CREATE TABLE piste_audit (
        event_id        uuid        NOT NULL,
        ts              timestamptz NOT NULL,
        request_id      text,
        trace_id        text,
        application_id  text,
        subject         text,
        operation_id    text,
        method          text,
        path            text,
        status          smallint    NOT NULL,
        outcome         text        NOT NULL,
        reason          text,
        client_ip       text,
        duration_micros bigint,
        instance_id     text,
        event           jsonb       NOT NULL,
        PRIMARY KEY (event_id, ts)
      ) PARTITION BY RANGE (ts);
      CREATE INDEX piste_audit_app_ts ON piste_audit (application_id, ts);
      CREATE TABLE piste_audit_2026_11_28 PARTITION OF piste_audit
        FOR VALUES FROM ('2026-11-28') TO ('2026-11-29');
      CREATE TABLE piste_audit_2026_11_29 PARTITION OF piste_audit
        FOR VALUES FROM ('2026-11-29') TO ('2026-11-30');
      """;

  private static PostgresFixture pg;

  @BeforeAll
  static void startPostgres() {
    pg = PostgresFixture.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  private static List<AuditEvent> events(int from, int to) {
    List<AuditEvent> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(AuditEvent.builder().eventId(String.format("00000000-0000-4000-8000-%012d", i))
          // across midnight: both partitions take events
          .timestamp(Instant.parse("2026-11-28T23:59:58Z").plusMillis(500L * i))
          .requestId("r-" + i).traceId("4bf92f3577b34da6a3ce929d0e0e4736")
          .spanId("00f067aa0ba902b7").operationId("op").method("GET").path("/v1/x").status(200)
          .outcome("allowed").instanceId("i").build());
    }
    return out;
  }

  private static long count(Statement st, String table) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aTablePartitionedByTimeTakesEventsAndStoresAReDeliveredEventOnce() throws Exception {
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS piste_audit");
      st.execute(PARTITIONED_DDL);
    }
    JdbcAuditSink sink = new JdbcAuditSink(pg.jdbcUrl(), pg.user(), null, "piste_audit");
    try {
      sink.write(events(0, 8));
      // a re-delivery from the spool, with events not seen yet behind it
      sink.write(events(4, 12));
    } finally {
      sink.close();
    }
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      assertThat(count(st, "piste_audit")).isEqualTo(12);
      assertThat(count(st, "piste_audit_2026_11_28")).isEqualTo(4);
      assertThat(count(st, "piste_audit_2026_11_29")).isEqualTo(8);
      st.execute("DROP TABLE piste_audit");
    }
  }

  @Test
  void theDocumentedTableStoresAReDeliveredEventOnce() throws Exception {
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS piste_audit");
      st.execute(JdbcAuditSink.ddl("piste_audit"));
    }
    JdbcAuditSink sink = new JdbcAuditSink(pg.jdbcUrl(), pg.user(), null, "piste_audit");
    try {
      sink.write(events(0, 8));
      sink.write(events(4, 12));
    } finally {
      sink.close();
    }
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      assertThat(count(st, "piste_audit")).isEqualTo(12);
      st.execute("DROP TABLE piste_audit");
    }
  }
}
