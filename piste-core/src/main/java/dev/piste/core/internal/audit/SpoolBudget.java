package dev.piste.core.internal.audit;

import java.util.concurrent.atomic.AtomicLong;

/** The bytes every sink's spool may hold together ({@code piste.audit.spool-max-size}). */
final class SpoolBudget {
  private final long max;
  private final AtomicLong used = new AtomicLong();

  SpoolBudget(long max) {
    this.max = max;
  }

  boolean tryReserve(long bytes) {
    while (true) {
      long u = used.get();
      if (u + bytes > max) {
        return false;
      }
      if (used.compareAndSet(u, u + bytes)) {
        return true;
      }
    }
  }

  /** Counts bytes already on disk at start-up, even past the maximum. */
  void add(long bytes) {
    used.addAndGet(bytes);
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Whether {@code bytes} more would still be within the maximum. */
  boolean hasRoom(long bytes) {
    return used.get() + bytes <= max;
  }

  long used() {
    return used.get();
  }
}
