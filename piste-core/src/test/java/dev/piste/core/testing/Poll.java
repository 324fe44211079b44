package dev.piste.core.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline instead of sleeping a fixed time. */
public final class Poll {
  private Poll() {}

  /** Polls every 10 ms until the condition holds; fails after the deadline (default 10 s). */
  public static void until(BooleanSupplier condition) {
    until(Duration.ofSeconds(10), condition);
  }

  public static void until(Duration deadline, BooleanSupplier condition) {
    until(deadline, condition, () -> null);
  }

  /** Waits until {@code condition} holds; fails with {@code what} after {@code timeout}. */
  public static void await(String what, Duration timeout, BooleanSupplier condition) {
    until(timeout, condition, () -> "waiting for " + what);
  }

  /**
   * Polls every 10 ms until the condition holds; after the deadline fails with the text of
   * {@code state} (read only then, e.g. counters that explain what was still missing).
   */
  public static void until(Duration deadline, BooleanSupplier condition, Supplier<String> state) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        String s = state.get();
        throw new AssertionError("condition not met within " + deadline + (s == null ? "" : ": " + s));
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
