package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.PisteConfig;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.PostgresFixture;
import dev.piste.core.testing.TestRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDBC sink against a real PostgreSQL: batched inserts, the documented DDL, an outage of the
 * database in the middle of the run, and a child JVM killed with SIGKILL then restarted on the same
 * spool. Every event ends up in the table exactly once (the primary key on event_id absorbs
 * re-deliveries).
 */
final class JdbcAuditSinkLossTest {

  private static PostgresFixture pg;

  @TempDir
  Path dir;

  @BeforeAll
  static void startPostgres() {
    pg = PostgresFixture.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @BeforeEach
  void table() throws SQLException {
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS piste_audit");
      st.execute(JdbcAuditSink.ddl("piste_audit"));
    }
  }

  private static Set<String> requestIds() throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection c = pg.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT request_id FROM piste_audit")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  private static long rows() {
    try (Connection c = pg.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM piste_audit")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      return -1;
    }
  }

  @Test
  void everyEventReachesTheTableOnceThroughADatabaseOutage() throws Exception {
    int total = 20_000;
    OperationPolicy policy = AuditHarness.policy("InvoiceResource.list", "/v1/invoices");
    try (AuditHarness h = new AuditHarness(PisteConfig.of(Map.of(
        "piste.audit.sinks", "jdbc",
        "piste.audit.jdbc.url", pg.jdbcUrl(),
        "piste.audit.jdbc.user", pg.user(),
        "piste.audit.spool-dir", dir.resolve("spool").toString(),
        "piste.audit.flush-interval", "20ms")))) {
      for (int i = 0; i < total; i++) {
        if (i == 5_000) {
          Poll.until(Duration.ofSeconds(30), () -> rows() > 0, () -> h.audit.stats().toString());
          pg.stop();
        } else if (i == 12_000) {
          Poll.until(Duration.ofSeconds(30),
              () -> h.audit.stats().failedDeliveries.get() >= 2, () -> h.audit.stats().toString());
          pg.restart();
        }
        h.serve(TestRequest.get("/v1/invoices").header("X-API-Key", "k")
            .header("X-Request-Id", "db-" + i), policy, null);
      }
      Poll.until(Duration.ofSeconds(60), () -> rows() == total,
          () -> rows() + " rows; " + h.audit.stats());
      assertThat(h.audit.stats().spooled.get()).isPositive();
      assertThat(h.audit.stats().lost.get()).isZero();
    }
    Set<String> ids = requestIds();
    assertThat(ids).hasSize(total);
    for (int i = 0; i < total; i++) {
      assertThat(ids).contains("db-" + i);
    }
    try (Connection c = pg.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT event->>'outcome', status, application_id,"
            + " operation_id FROM piste_audit WHERE request_id = 'db-7'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("allowed");
      assertThat(rs.getInt(2)).isEqualTo(200);
      assertThat(rs.getString(3)).isEqualTo("app-2");
      assertThat(rs.getString(4)).isEqualTo("InvoiceResource.list");
    }
  }

  @Test
  void aNulCharacterInARequestDoesNotStopTheSink() throws Exception {
    OperationPolicy policy = AuditHarness.policy("InvoiceResource.list", "/v1/invoices");
    try (AuditHarness h = new AuditHarness(PisteConfig.of(Map.of(
        "piste.audit.sinks", "jdbc",
        "piste.audit.jdbc.url", pg.jdbcUrl(),
        "piste.audit.jdbc.user", pg.user(),
        "piste.audit.query-values", "true",
        "piste.audit.spool-dir", dir.resolve("spool").toString(),
        "piste.audit.flush-interval", "20ms")))) {
      h.serve(TestRequest.get("/v1/invoices\0x").query("q=%00&n=a%5Cu0000b")
          .header("X-Request-Id", "nul-1"), policy, null);
      h.serve(TestRequest.get("/v1/invoices").header("X-Request-Id", "after-1"), policy, null);
      Poll.until(Duration.ofSeconds(30), () -> rows() == 2, () -> rows() + " rows; " + h.audit.stats());
      assertThat(h.audit.stats().failedDeliveries.get()).isZero();
    }
    try (Connection c = pg.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT path, event->'queryValues'->>'q',"
            + " event->'queryValues'->>'n' FROM piste_audit WHERE request_id = 'nul-1'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("/v1/invoices\uFFFDx");
      assertThat(rs.getString(2)).isEqualTo("\uFFFD");
      // an escaped backslash followed by u0000 is text, kept as it is
      assertThat(rs.getString(3)).isEqualTo("a\\u0000b");
    }
  }

  @Test
  void eventsOfAChildJvmKilledMidRunReachTheTableAfterItRestarts() throws Exception {
    Path spool = dir.resolve("spool");
    Path log = dir.resolve("child.log");
    AuditChildProcess[] first = new AuditChildProcess[1];
    pg.stop();
    try {
      first[0] = new AuditChildProcess(log, n -> { }, "jdbc", pg.jdbcUrl(), pg.user(),
          spool.toString(), "80000", "run1");
      Poll.until(Duration.ofSeconds(60), () -> first[0].checkpoint() >= 3000 || !first[0].alive(),
          () -> "checkpoint " + first[0].checkpoint() + "; " + read(log));
    } finally {
      pg.restart();
    }
    int atRestart = first[0].checkpoint();
    Poll.until(Duration.ofSeconds(60),
        () -> rows() > 0 && first[0].checkpoint() >= atRestart + 3000 || !first[0].alive(),
        () -> "checkpoint " + first[0].checkpoint() + "; " + read(log));
    assertThat(first[0].alive()).as("the child is still running when killed").isTrue();
    first[0].kill();
    int safe = first[0].checkpoint();
    long before = rows();

    AuditChildProcess second = new AuditChildProcess(log, n -> { }, "jdbc", pg.jdbcUrl(),
        pg.user(), spool.toString(), "1000", "run2");
    assertThat(second.await(90)).as(read(log)).isZero();

    Set<String> ids = requestIds();
    List<String> missing = new ArrayList<>(AuditChildProcess.missing(ids, "run1", safe));
    missing.addAll(AuditChildProcess.missing(ids, "run2", 1000));
    System.out.printf("jdbc crash test: killed at checkpoint %d, %d rows before the restart, %d"
        + " after%n", safe, before, rows());
    assertThat(missing).as("killed at checkpoint %d, %d rows before the restart", safe, before)
        .isEmpty();
    assertThat(rows()).isEqualTo(ids.size());
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
