package dev.piste.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A mutable {@link Clock} for tests: starts at a given instant and moves only when told. Thread-safe. */
public final class TestClock extends Clock {

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  private TestClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /** A UTC clock standing at this instant. */
  public static TestClock at(Instant instant) {
    return new TestClock(new AtomicReference<>(instant), ZoneOffset.UTC);
  }

  /** A UTC clock standing at the current (truncated to the second) time. */
  public static TestClock now() {
    return at(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
  }

  /** Moves the clock forward (or back, with a negative duration). */
  public TestClock advance(Duration d) {
    now.updateAndGet(i -> i.plus(d));
    return this;
  }

  public TestClock set(Instant instant) {
    now.set(instant);
    return this;
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A view in another zone sharing this clock's time. */
  @Override
  public Clock withZone(ZoneId z) {
    return new TestClock(now, z);
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public long millis() {
    return now.get().toEpochMilli();
  }

  @Override
  public String toString() {
    return "TestClock[" + now.get() + "]";
  }
}
