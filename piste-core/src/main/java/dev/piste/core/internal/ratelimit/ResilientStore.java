package dev.piste.core.internal.ratelimit;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared store with the failure policy around it. While the store answers, it decides. A call
 * that fails, throws or times out is decided by the fallback; after three failures in a row the
 * store is marked down (logged once, counted) and, until it answers again, every request is decided
 * by the fallback: per-instance memory buckets with every limit divided by the instance count
 * ({@code fail-open}), or not at all ({@code fail-closed}, the caller answers 503).
 * While down, one request per probe interval tries the store; the first success marks it up again
 * (logged once, counted). So a request waits on a dead store at most once per interval, never more
 * than the timeout.
 */
final class ResilientStore implements BucketStore {

  private static final Logger LOG = LoggerFactory.getLogger(ResilientStore.class);
  /** Failures in a row that mark the store down: one slow call (a GC pause) does not. */
  static final int FAILURES_TO_DOWN = 3;

  /** Thrown (without stack) when the store is down and the policy is fail-closed. */
  static final StoreException CLOSED = new StoreException("store unavailable");

  private final BucketStore primary;
  private final String storeName;
  private final MemoryStore fallback;
  private final boolean failOpen;
  private final int instances;
  private final long probeIntervalNanos;
  private final AtomicLong nextProbe = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong recoveries = new AtomicLong();
  private final AtomicLong fallbackDecisions = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger failuresInARow =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean down;

  ResilientStore(BucketStore primary, String storeName, MemoryStore fallback, boolean failOpen,
      int instances, long probeIntervalNanos) {
    this.primary = primary;
    this.storeName = storeName;
    this.fallback = fallback;
    this.failOpen = failOpen;
    this.instances = instances;
    this.probeIntervalNanos = probeIntervalNanos;
  }

  @Override
  public void apiDescribed(String apiId) {
    primary.apiDescribed(apiId);
  }

  @Override
  public Verdict consume(String key, LimitSet limits, long cost, long now) throws StoreException {
    if (down) {
      long t = System.nanoTime();
      long next = nextProbe.get();
      if (t - next < 0 || !nextProbe.compareAndSet(next, t + probeIntervalNanos)) {
        return fallback(key, limits, cost, now);
      }
    }
    try {
      Verdict v = primary.consume(key, limits, cost, now);
      if (failuresInARow.get() != 0) {
        failuresInARow.set(0);
      }
      if (down) {
        synchronized (this) {
          if (down) {
            down = false;
            recoveries.incrementAndGet();
            LOG.info("rate-limit store {} is back: buckets are shared again", storeName);
          }
        }
      }
      return v;
    } catch (StoreException | RuntimeException e) {
      // a store that throws anything else (a driver's or Bucket4j's surprise) failed this call
      // too: the policy decides, the request is never answered 500
      String reason = e instanceof StoreException ? e.getMessage() : e.getClass().getSimpleName();
      if (!down && failuresInARow.incrementAndGet() >= FAILURES_TO_DOWN) {
        synchronized (this) {
          if (!down) {
            nextProbe.set(System.nanoTime() + probeIntervalNanos);
            down = true;
            failures.incrementAndGet();
            LOG.warn("rate-limit store {} failed ({}): {} until it answers again", storeName,
                reason, failOpen ? "local buckets with every limit divided by " + instances
                    + " (fail-open)" : "requests answered 503 (fail-closed)");
          }
        }
      }
      return fallback(key, limits, cost, now);
    }
  }

  private Verdict fallback(String key, LimitSet limits, long cost, long now) throws StoreException {
    fallbackDecisions.incrementAndGet();
    if (!failOpen) {
      throw CLOSED;
    }
    LimitSet local = limits.divided(instances);
    // an instance's share of a limit can be smaller than a call's cost: the call then takes the
    // whole share, rather than being refused for as long as the store is down
    long c = Math.min(cost, local.smallestQuota());
    return fallback.consume(key, local, c, now).dividedBy(instances);
  }

  boolean down() {
    return down;
  }

  /** Transitions to down since start. */
  long failures() {
    return failures.get();
  }

  /** Transitions back to up since start. */
  long recoveries() {
    return recoveries.get();
  }

  /** Requests decided without the store (fallback buckets or 503). */
  long fallbackDecisions() {
    return fallbackDecisions.get();
  }

  @Override
  public void close() {
    primary.close();
  }
}
