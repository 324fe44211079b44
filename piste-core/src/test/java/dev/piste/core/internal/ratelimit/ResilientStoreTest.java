package dev.piste.core.internal.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.core.internal.config.ValueType;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The failure policy around a shared store. */
final class ResilientStoreTest {

  private static final long T0 = 1_780_000_000_000_000_000L;
  private final QuotaCalendar calendar = new QuotaCalendar(ZoneOffset.UTC);
  private final LimitSet plan = new LimitSet("gold", ValueType.parseLimits("10/s"));

  /** A store whose every call throws what it is not meant to: a bug, or a library's surprise. */
  private static final BucketStore THROWING = (key, limits, cost, now) -> {
    throw new IllegalArgumentException("highest supported rate is 1 token/nanosecond");
  };

  private ResilientStore resilient(boolean failOpen) {
    return new ResilientStore(THROWING, "redis", new MemoryStore(calendar, 1000), failOpen, 2,
        250_000_000L);
  }

  @Test
  void aStoreThatThrowsAnUncheckedExceptionFailsOpenOnTheLocalFallback() throws Exception {
    ResilientStore store = resilient(true);
    for (int i = 1; i <= ResilientStore.FAILURES_TO_DOWN; i++) {
      Verdict v = store.consume("p|gold|app", plan, 1, T0);
      assertThat(v.allowed()).isTrue();
      assertThat(v.dividedBy()).as("the local bucket, the plan divided by 2").isEqualTo(2);
      assertThat(v.remaining()).isEqualTo(5 - i);
    }
    assertThat(store.down()).isTrue();
    assertThat(store.failures()).isEqualTo(1);
    assertThat(store.fallbackDecisions()).isEqualTo(ResilientStore.FAILURES_TO_DOWN);
  }

  @Test
  void aStoreThatThrowsAnUncheckedExceptionFailsClosedWithTheStoreUnavailable() {
    ResilientStore store = resilient(false);
    assertThatThrownBy(() -> store.consume("p|gold|app", plan, 1, T0))
        .isSameAs(ResilientStore.CLOSED);
  }
}
