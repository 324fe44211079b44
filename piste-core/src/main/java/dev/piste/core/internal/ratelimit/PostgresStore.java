package dev.piste.core.internal.ratelimit;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Bucket4j distributed buckets in PostgreSQL ({@code SELECT ... FOR UPDATE} on one row per bucket).
 * JDBC blocks, so calls run on a small pool of store threads and the request thread waits at most
 * the store timeout. The table is looked up first and created only when it is missing, so that a user
 * without the {@code CREATE} privilege works with a table the DBA created:
 *
 * <pre>{@code
 * CREATE TABLE IF NOT EXISTS piste_buckets (
 *   id         VARCHAR(512) PRIMARY KEY,
 *   state      BYTEA,
 *   expires_at BIGINT
 * );
 * }</pre>
 *
 * <p>Rows of full buckets expire; once a minute a store thread deletes expired rows in batches of
 * {@value #CLEANUP_BATCH}, each committed on its own (so no row stays locked), until a batch comes
 * back short or {@value #CLEANUP_BATCHES} batches are done; a run that stops at that bound lets the
 * next call start the next run.
 */
final class PostgresStore implements BucketStore {

  static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final int THREADS = 8;
  static final int CLEANUP_BATCH = 1000;
  static final int CLEANUP_BATCHES = 100;
  private static final long CLEANUP_INTERVAL_NANOS = 60_000_000_000L;

  private final Bucket4jSupport support;
  private final long timeoutNanos;
  private final JdbcPool pool;
  private final String table;
  private final ThreadPoolExecutor executor;
  private final PostgreSQLSelectForUpdateBasedProxyManager<String> manager;
  private volatile boolean tableReady;
  private volatile long lastCleanup = System.nanoTime();

  /** A store whose keys are those of this API ({@code piste:<api id>:…}; {@code null}: none). */
  PostgresStore(String url, String user, String password, String table, Duration timeout,
      Clock clock, QuotaCalendar calendar, String apiId) {
    if (!TABLE.matcher(table).matches()) {
      throw new IllegalArgumentException("bad table name");
    }
    this.support = new Bucket4jSupport(calendar, apiId);
    this.timeoutNanos = timeout.toNanos();
    this.table = table;
    this.pool = new JdbcPool(url, user, password, THREADS);
    this.executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(256), r -> {
          Thread t = new Thread(r, "piste-ratelimit-postgresql");
          t.setDaemon(true);
          return t;
        });
    this.manager = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(pool)
        .primaryKeyMapper(PrimaryKeyMapper.STRING)
        .table(table)
        .idColumn("id")
        .stateColumn("state")
        .expiresAtColumn("expires_at")
        .clientClock(Bucket4jSupport.timeMeter(clock))
        .expirationAfterWrite(Bucket4jSupport.expiry())
        .build();
  }

  /** The DDL of the bucket table. */
  static String ddl(String table) {
    return "CREATE TABLE IF NOT EXISTS " + table
        + " (id VARCHAR(512) PRIMARY KEY, state BYTEA, expires_at BIGINT)";
  }

  @Override
  public void apiDescribed(String apiId) {
    support.apiDescribed(apiId);
  }

  @Override
  public Verdict consume(String key, LimitSet limits, long cost, long now) throws StoreException {
    String stamped = support.stampedKey(key, limits, now);
    CompletableFuture<VerboseResult<ConsumptionProbe>> f;
    try {
      f = CompletableFuture.supplyAsync(() -> {
        ensureTable();
        return manager.builder().build(stamped, () -> support.configuration(limits))
            .asVerbose().tryConsumeAndReturnRemaining(cost);
      }, executor);
    } catch (RejectedExecutionException e) {
      throw new StoreException("busy");
    }
    Verdict v = support.verdict(RedisStore.await(f, timeoutNanos), limits, cost, now);
    cleanupNowAndThen();
    return v;
  }

  private void ensureTable() {
    if (tableReady) {
      return;
    }
    synchronized (this) {
      if (tableReady) {
        return;
      }
      // CREATE TABLE IF NOT EXISTS needs CREATE on the schema even when the table exists, which
      // a user holding only SELECT, INSERT, UPDATE, DELETE on a table its DBA created lacks
      // (42501): look the table up first, create it only when missing. Two instances creating it
      // at once can collide in the catalog (23505, 42P07): the table then exists, which the second
      // attempt sees
      for (int attempt = 1; ; attempt++) {
        try (Connection c = pool.getConnection()) {
          c.setAutoCommit(true);
          if (!exists(c, table)) {
            try (Statement s = c.createStatement()) {
              s.execute(ddl(table));
            }
          }
          break;
        } catch (SQLException e) {
          if (attempt == 2) {
            throw new IllegalStateException("table creation failed: " + e.getSQLState());
          }
        }
      }
      tableReady = true;
    }
  }

  /**
   * Whether the table exists in the search path, as the unquoted name in the DDL and in Bucket4j's
   * statements resolves; a lookup that needs no privilege on the schema.
   */
  static boolean exists(Connection c, String table) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      s.setString(1, table);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private void cleanupNowAndThen() {
    long t = System.nanoTime();
    long last = lastCleanup;
    if (t - last < CLEANUP_INTERVAL_NANOS) {
      return;
    }
    lastCleanup = t;
    try {
      executor.execute(() -> {
        try {
          if (removeExpired() == (long) CLEANUP_BATCH * CLEANUP_BATCHES) {
            // more rows expired than one run deletes: the next call starts the next run
            lastCleanup = System.nanoTime() - CLEANUP_INTERVAL_NANOS;
          }
        } catch (RuntimeException e) {
          // the next cleanup tries again
        }
      });
    } catch (RejectedExecutionException e) {
      // busy: skip this round
    }
  }

  /**
   * Deletes expired rows in batches, each in auto-commit (the pool hands out nothing else), until a
   * batch is short or {@link #CLEANUP_BATCHES} are done; returns how many rows went.
   */
  long removeExpired() {
    long removed = 0;
    for (int i = 0; i < CLEANUP_BATCHES; i++) {
      int n = manager.removeExpired(CLEANUP_BATCH);
      removed += n;
      if (n < CLEANUP_BATCH) {
        break;
      }
    }
    return removed;
  }

  @Override
  public void close() {
    executor.shutdownNow();
    pool.close();
  }
}
