package dev.piste.core.internal.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.internal.config.ValueType;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class MemoryStoreTest {

  private static final long T0 = 1_780_000_000_000_000_000L;
  private final QuotaCalendar calendar = new QuotaCalendar(ZoneOffset.UTC);

  @Test
  void dropsIdleBucketsOnceOverItsBound() {
    MemoryStore store = new MemoryStore(calendar, 100, Runnable::run);
    LimitSet perSecond = new LimitSet("p", ValueType.parseLimits("10/s"));
    for (int i = 0; i < 100; i++) {
      store.consume("k" + i, perSecond, 1, T0);
    }
    assertThat(store.size()).isEqualTo(100);
    store.consume("late", perSecond, 1, T0 + 2_000_000_000L);
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void keepsItsBoundEvenWhenEveryBucketIsActive() {
    MemoryStore store = new MemoryStore(calendar, 100, Runnable::run);
    LimitSet quota = new LimitSet("q", ValueType.parseLimits("10/day"));
    for (int i = 0; i < 150; i++) {
      store.consume("k" + i, quota, 1, T0);
    }
    assertThat(store.size()).isLessThanOrEqualTo(100);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"3/day", "1/m; 3/day"})
  void aFullStoreDropsTheBucketsWorthLeastSoAFloodOfKeysCannotResetAUsedUpQuota(String limits) {
    MemoryStore store = new MemoryStore(calendar, 1000, Runnable::run);
    // one set for all, so that the drop order is the store's choice and not that of the maps;
    // with 1/m, each fresh key has spent its whole burst, as the used-up quota has
    LimitSet perIp = new LimitSet("ip", ValueType.parseLimits(limits));
    for (int i = 0; i < 3; i++) {
      assertThat(store.consume("attacker", perIp, 1, T0 + i * 60_000_000_000L).allowed()).isTrue();
    }
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 1100; i++) {
        store.consume("ip-" + round + "-" + i, perIp, 1, T0 + 180_000_000_000L);
      }
      assertThat(store.size()).isLessThanOrEqualTo(1000);
      assertThat(store.consume("attacker", perIp, 1, T0 + 180_000_000_000L).allowed())
          .as("round %d: the used-up quota survives the flood", round).isFalse();
    }
  }

  @Test
  void theBucketsDroppedFirstAreChosenAcrossEveryLimitSetOfALargeStore() {
    MemoryStore store = new MemoryStore(calendar, 6000, Runnable::run);
    LimitSet plan = new LimitSet("plan", ValueType.parseLimits("3/day"));
    LimitSet perIp = new LimitSet("ip", ValueType.parseLimits("1/m"));
    for (int k = 0; k < 4500; k++) {
      for (int i = 0; i < 3; i++) {
        store.consume("used-up-" + k, plan, 1, T0);
      }
    }
    for (int i = 0; i < 1501; i++) {
      store.consume("flood-" + i, perIp, 1, T0);
    }
    assertThat(store.size()).isLessThanOrEqualTo(6000);
    for (int k = 0; k < 4500; k++) {
      assertThat(store.consume("used-up-" + k, plan, 1, T0).allowed()).as("used-up-" + k).isFalse();
    }
  }

  @Test
  void aDroppedBucketIsRecreatedFullAndNeverLosesAConcurrentUpdate() {
    MemoryStore store = new MemoryStore(calendar, 1_000_000, Runnable::run);
    LimitSet perSecond = new LimitSet("p", ValueType.parseLimits("10/s"));
    store.consume("k", perSecond, 1, T0);
    store.sweep(T0 + 1_000_000_000L, false);
    assertThat(store.size()).isZero();
    assertThat(store.consume("k", perSecond, 10, T0 + 1_000_000_000L).allowed()).isTrue();
    assertThat(store.consume("k", perSecond, 1, T0 + 1_000_000_000L).allowed()).isFalse();
  }

  @Test
  void admitsExactlyTheQuotaUnderManyThreads() throws Exception {
    MemoryStore store = new MemoryStore(calendar, 1_000_000, Runnable::run);
    LimitSet quota = new LimitSet("q", ValueType.parseLimits("50/s burst 1000; 1000/day"));
    AtomicInteger admitted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      futures.add(pool.submit(() -> {
        for (int i = 0; i < 500; i++) {
          if (store.consume("hot", quota, 1, T0).allowed()) {
            admitted.incrementAndGet();
          }
        }
      }));
    }
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(admitted.get()).isEqualTo(1000);
  }

  @Test
  void sweepsRacingTheChecksOfAHotBucketLoseNoToken() throws Exception {
    MemoryStore store = new MemoryStore(calendar, 1_000_000, Runnable::run);
    LimitSet quota = new LimitSet("q", ValueType.parseLimits("100/day"));
    AtomicInteger admitted = new AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(5);
    Future<?> sweeper = pool.submit(() -> {
      while (!done.get()) {
        store.sweep(T0, false);
      }
    });
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      futures.add(pool.submit(() -> {
        for (int i = 0; i < 2_000; i++) {
          // a new bucket per round: each is idle (full) when created, so the sweeper races its
          // first check, which must still count
          if (store.consume("hot" + (i % 50), quota, 1, T0).allowed()) {
            admitted.incrementAndGet();
          }
          store.consume("fresh-" + thread + "-" + i, quota, 1, T0);
        }
      }));
    }
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    done.set(true);
    sweeper.get(30, TimeUnit.SECONDS);
    pool.shutdown();
    assertThat(admitted.get()).isEqualTo(50 * 100);
    store.sweep(T0, false);
    assertThat(store.size()).isEqualTo(50 + 4 * 2_000);
  }

  @Test
  void fallbackDividesEveryLimitByTheInstanceCountKeepingAtLeastOneToken() {
    LimitSet plan = new LimitSet("gold", ValueType.parseLimits("100/s burst 200; 10/day"));
    LimitSet divided = plan.divided(3);
    assertThat(divided.limits()).containsExactlyElementsOf(ValueType.parseLimits("33/s burst 66; 3/day"));
    assertThat(new LimitSet("x", ValueType.parseLimits("2/s")).divided(3).limits())
        .containsExactlyElementsOf(ValueType.parseLimits("1/s"));
  }
}
