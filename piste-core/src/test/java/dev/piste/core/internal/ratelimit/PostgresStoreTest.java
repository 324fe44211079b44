package dev.piste.core.internal.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.internal.config.ValueType;
import dev.piste.core.testing.PostgresFixture;
import dev.piste.core.testing.TestClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The postgresql store's upkeep of its table, against a real PostgreSQL on loopback. */
final class PostgresStoreTest {

  private static final TestClock CLOCK = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
  private static final long NOW = CLOCK.millis() * 1_000_000L;
  private static PostgresFixture pg;

  @BeforeAll
  static void startPostgres() {
    pg = PostgresFixture.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  private static PostgresStore store(String table) {
    return new PostgresStore(pg.jdbcUrl(), pg.user(), null, table, Duration.ofSeconds(5), CLOCK,
        new QuotaCalendar(ZoneOffset.UTC), "invoices");
  }

  /**
   * The cleanup runs on a pooled connection that Bucket4j's transactions used before: its deletes
   * must be committed, not left open holding the lock of every row they took.
   */
  @Test
  void aCleanupCommitsItsDeletesSoOtherSessionsSeeThemAndNoCallWaitsOnTheirLocks()
      throws Exception {
    LimitSet limits = new LimitSet("anonymous", ValueType.parseLimits("10/s"));
    try (PostgresStore cleaner = store("cleanup_buckets");
        PostgresStore other = store("cleanup_buckets")) {
      for (int i = 0; i < 3; i++) {
        assertThat(cleaner.consume("a|198.51.100." + i, limits, 1, NOW).allowed()).isTrue();
      }
      // the three buckets full again and expired, behind more expired rows than one batch holds
      execute("UPDATE cleanup_buckets SET expires_at = 0");
      execute("INSERT INTO cleanup_buckets (id, state, expires_at)"
          + " SELECT 'expired-' || g, NULL, 0 FROM generate_series(1, 2500) g");

      assertThat(cleaner.removeExpired()).isEqualTo(2503);

      assertThat(rows("cleanup_buckets")).as("rows seen from another session").isZero();
      assertThat(JdbcPoolTest.sessionsIdleInTransaction(pg)).isZero();
      // another instance's call on a deleted bucket: a delete left open would hold it until the
      // store timeout
      Verdict v = other.consume("a|198.51.100.0", limits, 1, NOW);
      assertThat(v.allowed()).isTrue();
      assertThat(v.remaining()).as("a new bucket").isEqualTo(9);
    }
  }

  @Test
  void oneCleanupRunStopsAfterItsLastBatchAndTheNextRunTakesTheRest() throws Exception {
    long bound = (long) PostgresStore.CLEANUP_BATCH * PostgresStore.CLEANUP_BATCHES;
    try (PostgresStore store = store("bounded_buckets")) {
      // the first call creates the table
      store.consume("a|198.51.100.1", new LimitSet("anonymous", ValueType.parseLimits("10/s")), 1,
          NOW);
      execute("INSERT INTO bounded_buckets (id, state, expires_at)"
          + " SELECT 'expired-' || g, NULL, 0 FROM generate_series(1, " + (bound + 10) + ") g");

      assertThat(store.removeExpired()).isEqualTo(bound);
      assertThat(rows("bounded_buckets")).isEqualTo(11);
      assertThat(store.removeExpired()).isEqualTo(10);
      assertThat(rows("bounded_buckets")).as("the live bucket").isEqualTo(1);
    }
  }

  private static long rows(String table) throws SQLException {
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
