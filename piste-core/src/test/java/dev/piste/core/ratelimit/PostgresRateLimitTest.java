package dev.piste.core.ratelimit;

import static dev.piste.core.ratelimit.RedisRateLimitTest.hammer;
import static dev.piste.core.ratelimit.TestEngine.operation;
import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.testing.PostgresFixture;
import dev.piste.core.testing.TestClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The postgresql store against a real PostgreSQL on loopback, started by the test. */
final class PostgresRateLimitTest {

  private static PostgresFixture pg;

  @BeforeAll
  static void startPostgres() {
    pg = PostgresFixture.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  private static Map<String, String> config(String table, String... more) {
    Map<String, String> m = new HashMap<>(Map.of(
        "piste.ratelimit.store", "postgresql",
        "piste.ratelimit.jdbc.url", pg.jdbcUrl(),
        "piste.ratelimit.jdbc.user", pg.user(),
        "piste.ratelimit.jdbc.table", table,
        "piste.ratelimit.store-timeout", "5s"));
    for (int i = 0; i < more.length; i += 2) {
      m.put(more[i], more[i + 1]);
    }
    return m;
  }

  @Test
  void threeEnginesOnOnePostgresAdmitExactlyTheLimitUnderManyThreads() throws Exception {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    Map<String, String> cfg = config("piste_buckets", "piste.ratelimit.plans.exact", "150/s; 300/day",
        "piste.ratelimit.default-plan", "exact");
    List<TestEngine> engines = TestEngine.three(cfg, clock);
    try {
      assertThat(hammer(engines, 6, 20, "pg-app")).isEqualTo(150);
      for (TestEngine e : engines) {
        assertThat(e.stage().fallbackDecisions()).isZero();
      }
    } finally {
      engines.forEach(TestEngine::close);
    }
  }

  @Test
  void createsItsTableOnDemandAndResetsTheDailyQuotaAtMidnight() throws Exception {
    TestClock clock = TestClock.at(Instant.parse("2026-03-10T23:59:59Z"));
    Map<String, String> cfg = config("quota_buckets", "piste.ratelimit.plans.q", "4/day",
        "piste.ratelimit.default-plan", "q");
    List<TestEngine> engines = TestEngine.three(cfg, clock);
    try {
      assertThat(hammer(engines, 3, 4, "pg-quota")).isEqualTo(4);
      TestEngine.Result denied = engines.get(2).call("pg-quota", null, operation("list"));
      assertThat(denied.status()).isEqualTo(429);
      assertThat(denied.header("Retry-After")).isEqualTo("1");
      clock.set(Instant.parse("2026-03-11T00:00:01Z"));
      assertThat(hammer(engines, 3, 4, "pg-quota")).isEqualTo(4);
      try (Connection c = pg.connect(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM quota_buckets")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(2);
      }
    } finally {
      engines.forEach(TestEngine::close);
    }
  }

  @Test
  void usesATableTheDbaCreatedWithAUserHoldingOnlyTheDataPrivileges() throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE dba_buckets (id VARCHAR(512) PRIMARY KEY, state BYTEA,"
          + " expires_at BIGINT)");
      s.execute("CREATE ROLE piste_app LOGIN");
      s.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
      s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON dba_buckets TO piste_app");
    }
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    Map<String, String> cfg = config("dba_buckets", "piste.ratelimit.plans.d", "2/day",
        "piste.ratelimit.default-plan", "d");
    cfg.put("piste.ratelimit.jdbc.user", "piste_app");
    try (TestEngine e = new TestEngine(cfg, clock)) {
      assertThat(e.call("dba-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(e.call("dba-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(e.call("dba-app", null, operation("list")).status()).isEqualTo(429);
      assertThat(e.stage().fallbackDecisions()).isZero();
      assertThat(e.stage().storeDown()).isFalse();
    }
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM dba_buckets")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }

  @Test
  void aPlanChangedBetweenTwoRunsIsEnforcedWithItsNewLimits() {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    try (TestEngine before = new TestEngine(config("piste_buckets", "piste.ratelimit.plans.p",
        "1/day", "piste.ratelimit.default-plan", "p"), clock)) {
      assertThat(before.call("resized-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(before.call("resized-app", null, operation("list")).status()).isEqualTo(429);
    }
    try (TestEngine after = new TestEngine(config("piste_buckets", "piste.ratelimit.plans.p",
        "3/day", "piste.ratelimit.default-plan", "p"), clock)) {
      TestEngine.Result r = after.call("resized-app", null, operation("list"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("RateLimit")).startsWith("\"p-day\";r=2;");
      assertThat(after.stage().fallbackDecisions()).isZero();
    }
  }

  @Test
  void aCallerWithAKeyLongerThanTheIdColumnKeepsOneBucketAndTheStoreStaysUp() {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    String longApp = "app-" + "x".repeat(600);
    try (TestEngine e = new TestEngine(config("piste_buckets", "piste.ratelimit.plans.l", "3/day",
        "piste.ratelimit.default-plan", "l"), clock)) {
      for (int i = 0; i < 3; i++) {
        assertThat(e.call(longApp, null, operation("list")).status()).isEqualTo(200);
      }
      assertThat(e.call(longApp, null, operation("list")).status()).isEqualTo(429);
      assertThat(e.call("short-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(e.stage().fallbackDecisions()).isZero();
      assertThat(e.stage().storeDown()).isFalse();
    }
  }

  /**
   * Bucket4j keeps a bucket for its full refill time plus the duration it is given, from the
   * database's side of the clock: {@code expires_at} is the write's wall-clock time plus that.
   */
  @Test
  void aBucketExpiresAMinuteAfterItIsFullAgain() throws Exception {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    long before;
    long after;
    try (TestEngine e = new TestEngine(config("ttl_buckets", "piste.api.id", "ttl",
        "piste.ratelimit.anonymous", "50/s burst 100", "piste.ratelimit.plans.free",
        "5/s; 10000/day", "piste.ratelimit.default-plan", "free"), clock)) {
      before = System.currentTimeMillis();
      assertThat(e.call("ttl-app", null, operation("list")).status()).isEqualTo(200);
      after = System.currentTimeMillis();
      assertThat(e.stage().fallbackDecisions()).isZero();
    }
    Map<String, Long> expiresAt = new HashMap<>();
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, expires_at FROM ttl_buckets")) {
      while (rs.next()) {
        expiresAt.put(rs.getString(1), rs.getLong(2));
      }
    }
    long minute = Duration.ofMinutes(1).toMillis();
    // one token of 50/s refills in 20 ms
    assertThat(expiresAt.get("piste:ttl:50/sb100|a|192.0.2.10"))
        .isBetween(before + 20 + minute, after + 20 + minute);
    // the day quota's bucket is refilled (never, within its day) after two days
    long twoDays = Duration.ofDays(2).toMillis();
    assertThat(expiresAt.get("piste:ttl:5/s;10000/day|p|free|ttl-app|d20578"))
        .isBetween(before + twoDays + minute, after + twoDays + minute);
    assertThat(expiresAt).hasSize(2);
  }

  @Test
  void anUnreachableDatabaseFailsOpenOnTheLocalFallback() {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    Map<String, String> cfg = config("piste_buckets", "piste.ratelimit.plans.f", "2/day",
        "piste.ratelimit.default-plan", "f", "piste.ratelimit.store-timeout", "50ms");
    cfg.put("piste.ratelimit.jdbc.url", "jdbc:postgresql://127.0.0.1:1/postgres");
    try (TestEngine e = new TestEngine(cfg, clock)) {
      assertThat(e.call("down-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(e.call("down-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(e.call("down-app", null, operation("list")).status()).isEqualTo(429);
      assertThat(e.stage().storeDown()).isTrue();
      assertThat(e.stage().storeFailures()).isEqualTo(1);
    }
  }
}
