package dev.piste.core.internal.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.testing.PostgresFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The postgresql store's connection pool against a real PostgreSQL on loopback. */
final class JdbcPoolTest {

  private static PostgresFixture pg;

  @BeforeAll
  static void startPostgres() throws SQLException {
    pg = PostgresFixture.start();
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE pool_rows (n INT)");
    }
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  private JdbcPool pool(int size) {
    return new JdbcPool(pg.jdbcUrl(), pg.user(), null, size);
  }

  /** Bucket4j turns auto-commit off for its transaction and gives the connection back so. */
  @Test
  void aConnectionGivenBackInsideATransactionIsRolledBackAndLentAgainInAutoCommit()
      throws SQLException {
    try (JdbcPool pool = pool(1)) {
      int session;
      try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute("INSERT INTO pool_rows VALUES (1)");
        session = session(c);
      }
      assertThat(sessionsIdleInTransaction()).isZero();
      try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
        assertThat(session(c)).as("the same session, kept for reuse").isEqualTo(session);
        assertThat(c.getAutoCommit()).isTrue();
        s.execute("INSERT INTO pool_rows VALUES (2)");
      }
      assertThat(rows()).as("seen from another session").containsExactly(2);
    } finally {
      execute("DELETE FROM pool_rows");
    }
  }

  @Test
  void aConnectionThatCannotBeRolledBackIsDiscarded() throws SQLException {
    try (JdbcPool pool = pool(1)) {
      int session;
      try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute("SELECT 1");
        session = session(c);
        // the timeout waits until the session is gone
        execute("SELECT pg_terminate_backend(" + session + ", 10000)");
      }
      try (Connection c = pool.getConnection()) {
        assertThat(session(c)).as("a new session").isNotEqualTo(session);
      }
    }
  }

  @Test
  void aConnectionClosedTwiceIsPooledOnce() throws SQLException {
    try (JdbcPool pool = pool(2)) {
      Connection c = pool.getConnection();
      c.close();
      c.close();
      try (Connection a = pool.getConnection(); Connection b = pool.getConnection()) {
        assertThat(session(a)).isNotEqualTo(session(b));
      }
    }
  }

  private static int session(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  static long sessionsIdleInTransaction(PostgresFixture pg) throws SQLException {
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long sessionsIdleInTransaction() throws SQLException {
    return sessionsIdleInTransaction(pg);
  }

  private static List<Integer> rows() throws SQLException {
    List<Integer> rows = new ArrayList<>();
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT n FROM pool_rows ORDER BY n")) {
      while (rs.next()) {
        rows.add(rs.getInt(1));
      }
    }
    return rows;
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
