package dev.piste.core.ratelimit;

import static dev.piste.core.ratelimit.TestEngine.operation;
import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.Outcome;
import dev.piste.core.internal.config.ValueType;
import dev.piste.core.internal.pipeline.OperationLimit;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.RedisServerFixture;
import dev.piste.core.testing.TestClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The redis store against a real Redis on loopback, started by the test. */
final class RedisRateLimitTest {

  private static RedisServerFixture redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerFixture.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  private static Map<String, String> config(String... more) {
    Map<String, String> m = new HashMap<>(Map.of(
        "piste.ratelimit.store", "redis",
        "piste.ratelimit.redis.uri", redis.uri()));
    for (int i = 0; i < more.length; i += 2) {
      m.put(more[i], more[i + 1]);
    }
    return m;
  }

  @Test
  void threeEnginesOnOneRedisAdmitExactlyTheLimitUnderManyThreads() throws Exception {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    Map<String, String> cfg = config("piste.ratelimit.plans.exact", "400/day",
        "piste.ratelimit.default-plan", "exact", "piste.ratelimit.store-timeout", "5s");
    List<TestEngine> engines = TestEngine.three(cfg, clock);
    try {
      int admitted = hammer(engines, 8, 60, "exact-app");
      assertThat(admitted).isEqualTo(400);
      for (TestEngine e : engines) {
        assertThat(e.stage().fallbackDecisions()).isZero();
      }
    } finally {
      engines.forEach(TestEngine::close);
    }
  }

  @Test
  void twoApisOnOneRedisKeepTheirOwnBucketsWhileInstancesOfOneApiShare() {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    String[] plan = {"piste.ratelimit.plans.two", "2/day", "piste.ratelimit.default-plan", "two",
        "piste.ratelimit.store-timeout", "5s"};
    try (TestEngine invoices = new TestEngine(config(concat(plan, "piste.api.id", "invoices")), clock);
        TestEngine invoices2 = new TestEngine(config(concat(plan, "piste.api.id", "invoices")), clock);
        TestEngine payments = new TestEngine(config(concat(plan, "piste.api.id", "payments")), clock)) {
      assertThat(invoices.call("shared-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(invoices2.call("shared-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(invoices.call("shared-app", null, operation("list")).status())
          .as("the two instances of one API share the quota").isEqualTo(429);
      assertThat(payments.call("shared-app", null, operation("list")).status())
          .as("another API's quota is its own").isEqualTo(200);
    }
  }

  @Test
  void anApiNamedByItsDescriptionKeepsItsOwnBuckets() {
    // @PisteApi(id = ...) names the API when piste.api.id is not set
    TestClock clock = TestClock.at(Instant.parse("2026-05-06T10:00:00Z"));
    String[] plan = {"piste.ratelimit.plans.two", "2/day", "piste.ratelimit.default-plan", "two",
        "piste.ratelimit.store-timeout", "5s"};
    try (TestEngine invoices = new TestEngine(config(plan), clock);
        TestEngine payments = new TestEngine(config(plan), clock)) {
      invoices.limiter.apiDescribed("described-invoices");
      payments.limiter.apiDescribed("described-payments");
      assertThat(invoices.call("described-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(invoices.call("described-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(invoices.call("described-app", null, operation("list")).status()).isEqualTo(429);
      assertThat(payments.call("described-app", null, operation("list")).status())
          .as("another API's quota is its own").isEqualTo(200);
    }
  }

  @Test
  void aDailyQuotaDoesNotRefillWithinA25HourDay() {
    // Europe/Paris, 2025-10-26: clocks go back at 03:00, the day lasts 25 hours
    TestClock clock = TestClock.at(Instant.parse("2025-10-25T22:30:00Z")); // 00:30 local
    try (TestEngine e = new TestEngine(config("piste.ratelimit.plans.d", "2/day",
        "piste.ratelimit.default-plan", "d", "piste.ratelimit.time-zone", "Europe/Paris",
        "piste.ratelimit.store-timeout", "5s"), clock)) {
      assertThat(e.call("dst-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(e.call("dst-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(e.call("dst-app", null, operation("list")).status()).isEqualTo(429);
      clock.set(Instant.parse("2025-10-26T22:30:00Z")); // 23:30 local, 24 hours later, same day
      TestEngine.Result late = e.call("dst-app", null, operation("list"));
      assertThat(late.status()).as("still the same day's quota").isEqualTo(429);
      assertThat(late.header("Retry-After")).isEqualTo("1800");
      clock.set(Instant.parse("2025-10-26T23:00:00Z")); // midnight local
      assertThat(e.call("dst-app", null, operation("list")).status()).isEqualTo(200);
    }
  }

  @Test
  void retryAfterIsTheTimeToMidnightWhenTheQuotaAndTheRateLimitAreBothSpent() {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    try (TestEngine e = new TestEngine(config("piste.ratelimit.plans.h", "1/h; 2/day",
        "piste.ratelimit.default-plan", "h", "piste.ratelimit.store-timeout", "5s"), clock)) {
      assertThat(e.call("both-app", null, operation("list")).status()).isEqualTo(200);
      clock.set(Instant.parse("2026-05-05T15:00:00Z"));
      assertThat(e.call("both-app", null, operation("list")).status()).isEqualTo(200);
      TestEngine.Result denied = e.call("both-app", null, operation("list"));
      assertThat(denied.status()).isEqualTo(429);
      // nine hours to midnight UTC, not the nineteen to the quota's own refill
      assertThat(denied.header("Retry-After")).isEqualTo(String.valueOf(9 * 3600));
      assertThat(denied.exchange().reason()).isEqualTo("quota_exhausted");
    }
  }

  @Test
  void aPlanChangedBetweenTwoRunsIsEnforcedWithItsNewLimits() {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    try (TestEngine before = new TestEngine(config("piste.ratelimit.plans.p", "2/day",
        "piste.ratelimit.default-plan", "p", "piste.ratelimit.store-timeout", "5s"), clock)) {
      assertThat(before.call("resized-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(before.call("resized-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(before.call("resized-app", null, operation("list")).status()).isEqualTo(429);
    }
    try (TestEngine after = new TestEngine(config("piste.ratelimit.plans.p", "5/day",
        "piste.ratelimit.default-plan", "p", "piste.ratelimit.store-timeout", "5s"), clock)) {
      TestEngine.Result r = after.call("resized-app", null, operation("list"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("RateLimit-Policy")).startsWith("\"p-day\";q=5;");
      assertThat(r.header("RateLimit")).startsWith("\"p-day\";r=4;");
    }
  }

  @Test
  void anAnonymousLimitChangedBetweenTwoRunsIsEnforcedWithItsNewLimits() {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    try (TestEngine before = new TestEngine(config("piste.ratelimit.anonymous", "1/h",
        "piste.ratelimit.store-timeout", "5s"), clock)) {
      assertThat(before.call("anon-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(before.call("anon-app", null, operation("list")).status()).isEqualTo(429);
    }
    try (TestEngine after = new TestEngine(config("piste.ratelimit.anonymous", "3/h",
        "piste.ratelimit.store-timeout", "5s"), clock)) {
      assertThat(after.call("anon-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(after.stage().fallbackDecisions()).isZero();
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void dailyQuotaSharedByThreeEnginesResetsAtMidnightExactly() throws Exception {
    TestClock clock = TestClock.at(Instant.parse("2026-03-10T23:59:59.500Z"));
    Map<String, String> cfg = config("piste.ratelimit.plans.q", "5/day",
        "piste.ratelimit.default-plan", "q", "piste.ratelimit.store-timeout", "5s");
    List<TestEngine> engines = TestEngine.three(cfg, clock);
    try {
      assertThat(hammer(engines, 4, 5, "quota-app")).isEqualTo(5);
      TestEngine.Result denied = engines.get(1).call("quota-app", null, operation("list"));
      assertThat(denied.status()).isEqualTo(429);
      assertThat(denied.header("Retry-After")).isEqualTo("1");
      assertThat(denied.exchange().reason()).isEqualTo("quota_exhausted");
      clock.set(Instant.parse("2026-03-11T00:00:00.200Z"));
      assertThat(hammer(engines, 4, 5, "quota-app")).isEqualTo(5);
    } finally {
      engines.forEach(TestEngine::close);
    }
  }

  @Test
  void failOpenFallsBackToLocalBucketsDividedByInstancesWhenRedisIsKilledAndRecoversByItself()
      throws Exception {
    Clock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    try (TestEngine e = new TestEngine(config("piste.ratelimit.plans.f", "9/day",
        "piste.ratelimit.default-plan", "f", "piste.ratelimit.instances", "3",
        // generous, so that only the kill (not a busy CI machine) makes the store fail
        "piste.ratelimit.store-timeout", "2s"), clock)) {
      for (int i = 0; i < 4; i++) {
        assertThat(e.call("open-app", null, operation("list")).status()).isEqualTo(200);
      }
      redis.stop();
      try {
        List<Integer> statuses = new ArrayList<>();
        List<String> policies = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          TestEngine.Result r = e.call("open-app", null, operation("list"));
          statuses.add(r.status());
          policies.add(r.header("RateLimit-Policy") + " / " + r.header("RateLimit"));
        }
        assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
        // the headers describe the local bucket that answered: 9/day divided by 3 instances
        assertThat(policies.get(0)).startsWith("\"f-day\";q=3;").contains("r=2;");
        assertThat(policies.get(3)).startsWith("\"f-day\";q=3;").contains("r=0;");
        // a cost of 5 is above an instance's share of 3 (9/day and 10/m by 3): the call takes the
        // whole share, it is not refused for as long as the store is down
        OperationPolicy costly = operation("costly", List.of(new OperationLimit(
            ValueType.parseLimits("10/m"), "application", 5, false)));
        assertThat(e.call("costly-app", null, costly).status()).isEqualTo(200);
        assertThat(e.call("costly-app", null, costly).status()).isEqualTo(429);
        assertThat(e.stage().storeDown()).isTrue();
        assertThat(e.stage().storeFailures()).isEqualTo(1);
        assertThat(e.stage().fallbackDecisions()).isGreaterThanOrEqualTo(5);
      } finally {
        redis.startAgain();
      }
      Poll.until(Duration.ofSeconds(20), () -> {
        e.call("probe-app", null, operation("list"));
        return !e.stage().storeDown();
      });
      assertThat(e.stage().storeRecoveries()).isEqualTo(1);
      assertThat(e.stage().storeFailures()).isEqualTo(1);
      // the restarted Redis is empty: the shared quota starts again
      assertThat(e.call("open-app", null, operation("list")).status()).isEqualTo(200);
    }
  }

  @Test
  void failClosedAnswers503WhileRedisIsDownInTheMiddleOfARunThenServesAgain() throws Exception {
    Clock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    try (TestEngine e = new TestEngine(config("piste.ratelimit.plans.big", "1000000/day",
        "piste.ratelimit.default-plan", "big", "piste.ratelimit.on-store-failure", "fail-closed",
        "piste.ratelimit.store-timeout", "2s"), clock)) {
      Set<Integer> statuses = ConcurrentHashMap.newKeySet();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger calls = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        workers.add(pool.submit(() -> {
          while (running.get() && calls.incrementAndGet() < 200_000) {
            statuses.add(e.call("closed-app", null, operation("list")).status());
          }
        }));
      }
      try {
        Poll.until(Duration.ofSeconds(20), () -> calls.get() > 200);
        redis.stop();
        TestEngine.Result[] last = new TestEngine.Result[1];
        try {
          Poll.until(Duration.ofSeconds(20),
              () -> (last[0] = e.call("closed-app", null, operation("list"))).status() == 503);
          assertThat(last[0].problem().outcome()).isEqualTo(Outcome.UNAVAILABLE);
          assertThat(last[0].header("Retry-After")).isEqualTo("1");
          // the store is marked down after three failures in a row; the workers keep failing
          Poll.until(Duration.ofSeconds(20), () -> e.stage().storeDown());
        } finally {
          redis.startAgain();
        }
        Poll.until(Duration.ofSeconds(20),
            () -> e.call("closed-app", null, operation("list")).status() == 200);
      } finally {
        running.set(false);
        for (Future<?> f : workers) {
          f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
      }
      assertThat(statuses).containsOnly(200, 503);
      // while Redis comes back under load, the store may be marked down again before it settles:
      // every time it was, it recovered by itself
      Poll.until(Duration.ofSeconds(20), () -> e.call("closed-app", null, operation("list"))
          .status() == 200 && !e.stage().storeDown());
      assertThat(e.stage().storeFailures()).isPositive();
      assertThat(e.stage().storeRecoveries()).isEqualTo(e.stage().storeFailures());
    }
  }

  @Test
  void aRedisSlowerThanTheTimeoutIsTreatedAsDownAndTheRequestIsStillServed() throws Exception {
    Clock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    try (TestEngine e = new TestEngine(config("piste.ratelimit.plans.s", "100/day",
        "piste.ratelimit.default-plan", "s", "piste.ratelimit.store-timeout", "50ms"), clock)) {
      assertThat(e.call("slow-app", null, operation("list")).status()).isEqualTo(200);
      redis.sleep(1.0);
      for (int i = 0; i < 3; i++) {
        long start = System.nanoTime();
        TestEngine.Result r = e.call("slow-app", null, operation("list"));
        long tookMicros = (System.nanoTime() - start) / 1000;
        System.out.println("check against a sleeping Redis answered in " + tookMicros + " us");
        assertThat(r.status()).isEqualTo(200);
        assertThat(e.stage().storeDown()).isEqualTo(i == 2);
      }
      assertThat(e.stage().storeFailures()).isEqualTo(1);
      assertThat(e.stage().fallbackDecisions()).isEqualTo(3);
      Poll.until(Duration.ofSeconds(20), () -> {
        e.call("slow-app", null, operation("list"));
        return !e.stage().storeDown();
      });
      assertThat(e.stage().storeRecoveries()).isEqualTo(1);
    }
  }

  @Test
  void hotKeyThroughThreeEnginesOnOneRedisAnswersEveryCheckWithoutLivelock() throws Exception {
    Clock clock = Clock.systemUTC();
    Map<String, String> cfg = config("piste.ratelimit.plans.hot", "1000000/day",
        "piste.ratelimit.default-plan", "hot");
    List<TestEngine> engines = TestEngine.three(cfg, clock);
    int threads = 16;
    int perThread = 150;
    long[] latencies = new long[engines.size() * threads * perThread];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(engines.size() * threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (TestEngine e : engines) {
        for (int t = 0; t < threads; t++) {
          futures.add(pool.submit(() -> {
            go.await();
            for (int i = 0; i < perThread; i++) {
              long s = System.nanoTime();
              int status = e.call("hot-app", null, operation("create")).status();
              latencies[next.getAndIncrement()] = System.nanoTime() - s;
              if (status == 200) {
                ok.incrementAndGet();
              }
            }
            return null;
          }));
        }
      }
      long start = System.nanoTime();
      go.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
      long elapsed = System.nanoTime() - start;
      Arrays.sort(latencies);
      long fallbacks = engines.stream().mapToLong(e -> e.stage().fallbackDecisions()).sum();
      System.out.printf("hot key: %d checks, 3 engines x %d threads, %.0f checks/s, p50 %d us,"
          + " p99 %d us, max %d us, decided by the fallback (timeout 50 ms): %d%n",
          latencies.length, threads, latencies.length / (elapsed / 1e9),
          latencies[latencies.length / 2] / 1000, latencies[latencies.length * 99 / 100] / 1000,
          latencies[latencies.length - 1] / 1000, fallbacks);
      assertThat(ok.get()).isEqualTo(latencies.length);
    } finally {
      pool.shutdownNow();
      engines.forEach(TestEngine::close);
    }
  }

  /** Every thread of every engine calls {@code calls} times; returns how many were admitted. */
  static int hammer(List<TestEngine> engines, int threadsPerEngine, int calls, String app)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(engines.size() * threadsPerEngine);
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger others = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (TestEngine e : engines) {
        for (int t = 0; t < threadsPerEngine; t++) {
          futures.add(pool.submit(() -> {
            go.await();
            for (int i = 0; i < calls; i++) {
              int status = e.call(app, null, operation("list")).status();
              if (status == 200) {
                admitted.incrementAndGet();
              } else if (status != 429) {
                others.incrementAndGet();
              }
            }
            return null;
          }));
        }
      }
      go.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(others.get()).isZero();
    return admitted.get();
  }

  /**
   * Bucket4j keeps a bucket for its full refill time plus the duration it is given: a bucket lives
   * until it is full again and a minute more, a quota's until its refill period (two days for a day
   * quota) is over and a minute more, not weeks.
   */
  @Test
  void aBucketExpiresAMinuteAfterItIsFullAgain() {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    try (TestEngine e = new TestEngine(config("piste.api.id", "ttl",
        "piste.ratelimit.anonymous", "50/s burst 100", "piste.ratelimit.plans.free",
        "5/s; 10000/day", "piste.ratelimit.default-plan", "free",
        "piste.ratelimit.store-timeout", "5s"), clock)) {
      assertThat(e.call("ttl-app", null, operation("list")).status()).isEqualTo(200);
      assertThat(e.stage().fallbackDecisions()).isZero();
    }
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> commands = c.sync();
      Map<String, Long> ttls = new HashMap<>();
      for (String key : commands.keys("piste:ttl:*")) {
        ttls.put(key, commands.pttl(key));
      }
      long minute = Duration.ofMinutes(1).toMillis();
      // one token of 50/s refills in 20 ms
      assertThat(ttls.get("piste:ttl:50/sb100|a|192.0.2.10")).isBetween(20L, 20 + minute);
      // the day quota's bucket is refilled (never, within its day) after two days
      long twoDays = Duration.ofDays(2).toMillis();
      assertThat(ttls.get("piste:ttl:5/s;10000/day|p|free|ttl-app|d20578"))
          .isBetween(twoDays, twoDays + minute);
      assertThat(ttls).hasSize(2);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aRejectionNamesTheBlockingLimitWithWhatItHolds() {
    TestClock clock = TestClock.at(Instant.parse("2026-05-05T10:00:00Z"));
    OperationPolicy export = operation("export", List.of(new OperationLimit(
        ValueType.parseLimits("5/m; 12/day"), "application", 5, false)));
    try (TestEngine e = new TestEngine(config("piste.ratelimit.plans.big", "1000/s",
        "piste.ratelimit.default-plan", "big", "piste.ratelimit.store-timeout", "5s"), clock)) {
      assertThat(e.call("exporter", null, export).status()).isEqualTo(200);
      clock.set(Instant.parse("2026-05-05T10:01:00Z"));
      assertThat(e.call("exporter", null, export).status()).isEqualTo(200);
      // twelve seconds on, the minute holds 1 and the day 2: both refuse a cost of 5, the day the
      // longer, so the answer names the day, with the day's 2 (not the bucket's least, 1)
      clock.set(Instant.parse("2026-05-05T10:01:12Z"));
      TestEngine.Result denied = e.call("exporter", null, export);
      assertThat(denied.status()).isEqualTo(429);
      assertThat(denied.header("RateLimit")).startsWith("\"operation-day\";r=2;");
    }
  }
}
