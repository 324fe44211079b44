package dev.piste.benchmarks;

import dev.piste.core.internal.config.ValueType;
import dev.piste.core.internal.ratelimit.LimitSet;
import dev.piste.core.internal.ratelimit.MemoryStore;
import dev.piste.core.internal.ratelimit.QuotaCalendar;
import dev.piste.core.internal.ratelimit.RedisStore;
import dev.piste.core.internal.ratelimit.StoreException;
import dev.piste.core.internal.ratelimit.Verdict;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import redis.embedded.RedisServer;

/**
 * One rate-limit check of a two-limit plan ({@code 100/s burst 200; 1000000/day}, scaled up so
 * that every check is allowed), as the stage does it: read the clock, then consume from the bucket.
 *
 * <ul>
 *   <li>{@code local*}: the memory store, 10,000 applications round-robin per thread.
 *   <li>{@code redis*}: the Redis store (Bucket4j compare-and-swap over Lettuce, batching) against
 *       a Redis the benchmark starts on loopback, 16 concurrent callers; distinct keys (one per
 *       caller) and one hot key shared by all.
 * </ul>
 *
 * <pre>{@code
 * mvn -q -pl examples/benchmarks -am package -DskipTests
 * java -jar examples/benchmarks/target/benchmarks.jar RateLimitBenchmark
 * }</pre>
 */
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class RateLimitBenchmark {

  static final LimitSet PLAN = new LimitSet("gold",
      ValueType.parseLimits("100000000/s burst 200000000; 1000000000000/day"));
  static final Clock CLOCK = Clock.systemUTC();

  static long now() {
    Instant i = CLOCK.instant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /** The memory store with 10,000 applications. */
  @State(Scope.Benchmark)
  public static class Local {
    final MemoryStore store = new MemoryStore(new QuotaCalendar(ZoneOffset.UTC), 2_000_000);
    final String[] keys = new String[10_000];

    @Setup
    public void setUp() {
      for (int i = 0; i < keys.length; i++) {
        keys[i] = "p|gold|app-" + i;
      }
    }
  }

  /** Per-thread cursor over the keys. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
    String own;
    static final AtomicInteger THREADS = new AtomicInteger();

    @Setup
    public void setUp() {
      own = "p|gold|caller-" + THREADS.incrementAndGet();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Verdict localCheck(Local local, Cursor cursor) {
    int i = cursor.next++;
    if (cursor.next == local.keys.length) {
      cursor.next = 0;
    }
    return local.store.consume(local.keys[i], PLAN, 1, now());
  }

  /** A Redis on loopback and the Redis store on it. */
  @State(Scope.Benchmark)
  public static class Redis {
    RedisServer server;
    RedisStore store;

    @Setup(Level.Trial)
    public void start() throws IOException {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
          .setting("save \"\"").setting("appendonly no").build();
      server.start();
      store = new RedisStore(URI.create("redis://127.0.0.1:" + port), Duration.ofSeconds(2),
          CLOCK, new QuotaCalendar(ZoneOffset.UTC));
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
      store.close();
      server.stop();
    }
  }

  @Benchmark
  @Threads(16)
  @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Verdict redisCheckDistinctKeys(Redis redis, Cursor cursor) throws StoreException {
    return redis.store.consume(cursor.own, PLAN, 1, now());
  }

  @Benchmark
  @Threads(16)
  @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Verdict redisCheckHotKey(Redis redis) throws StoreException {
    return redis.store.consume("p|gold|hot", PLAN, 1, now());
  }
}
