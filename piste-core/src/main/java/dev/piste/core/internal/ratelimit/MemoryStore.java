package dev.piste.core.internal.ratelimit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buckets of this instance, in a bounded map that drops idle buckets (a full bucket carries no
 * information). One map per limit set, from key to a {@code long[]} with one long per limit (see
 * {@link LimitSet}): about 80 bytes per bucket before the key, against about 414 for a Caffeine map
 * of Bucket4j local buckets. A check locks only its own bucket.
 *
 * <p>When the map holds more than {@code maxBuckets}, or a minute after the last sweep, an insert
 * starts a sweep of idle buckets on the sweep executor (the common pool: never on the request
 * thread); if the map is still over its bound, the sweep drops active buckets too (logged once:
 * their callers get fresh buckets).
 */
public final class MemoryStore implements BucketStore {

  private static final Logger LOG = LoggerFactory.getLogger(MemoryStore.class);
  private static final long DEAD = Long.MIN_VALUE;
  private static final long SWEEP_EVERY_NANOS = 60_000_000_000L;

  private final Map<LimitSet, ConcurrentHashMap<String, long[]>> maps = new ConcurrentHashMap<>();
  private final QuotaCalendar calendar;
  private final long maxBuckets;
  private final AtomicLong size = new AtomicLong();
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final Executor sweeper;
  private final AtomicBoolean warnedFull = new AtomicBoolean();
  private volatile long lastSweep = Long.MIN_VALUE;

  public MemoryStore(QuotaCalendar calendar, long maxBuckets) {
    this(calendar, maxBuckets, ForkJoinPool.commonPool());
  }

  /** A store whose sweeps run on this executor ({@code Runnable::run} sweeps inline, for tests). */
  MemoryStore(QuotaCalendar calendar, long maxBuckets, Executor sweeper) {
    this.calendar = calendar;
    this.maxBuckets = maxBuckets;
    this.sweeper = sweeper;
  }

  @Override
  public Verdict consume(String key, LimitSet limits, long cost, long now) {
    ConcurrentHashMap<String, long[]> map = maps.get(limits);
    if (map == null) {
      map = maps.computeIfAbsent(limits, l -> new ConcurrentHashMap<>());
    }
    for (;;) {
      long[] state = map.get(key);
      if (state == null) {
        long[] fresh = limits.fresh();
        state = map.putIfAbsent(key, fresh);
        if (state == null) {
          state = fresh;
          inserted(now);
        }
      }
      synchronized (state) {
        if (state.length > 0 && state[0] == DEAD) {
          continue;
        }
        return limits.apply(state, cost, now, calendar);
      }
    }
  }

  /** Buckets held now. */
  public long size() {
    return size.get();
  }

  private void inserted(long now) {
    long n = size.incrementAndGet();
    long last = lastSweep;
    if (last == Long.MIN_VALUE) {
      lastSweep = now;
    } else if ((n > maxBuckets || now - last > SWEEP_EVERY_NANOS)
        && sweeping.compareAndSet(false, true)) {
      lastSweep = now;
      boolean full = n > maxBuckets;
      try {
        sweeper.execute(() -> {
          try {
            sweep(now, full);
          } finally {
            sweeping.set(false);
          }
        });
      } catch (RejectedExecutionException e) {
        sweeping.set(false);
      }
    }
  }

  /** Drops idle buckets; when {@code full}, then drops active ones until 90 % of the bound. */
  void sweep(long now, boolean full) {
    for (Map.Entry<LimitSet, ConcurrentHashMap<String, long[]>> e : maps.entrySet()) {
      LimitSet limits = e.getKey();
      for (Iterator<Map.Entry<String, long[]>> it = e.getValue().entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, long[]> b = it.next();
        long[] state = b.getValue();
        synchronized (state) {
          if (state.length > 0 && state[0] != DEAD && limits.idle(state, now, calendar)) {
            drop(e.getValue(), b.getKey(), state);
          }
        }
      }
    }
    // below the bound with room to spare, so that the insert that triggered this sweep (whose
    // fresh bucket may have been dropped as idle) does not trigger another one
    long target = Math.max(0, maxBuckets - maxBuckets / 10 - 1);
    if (!full || size.get() <= target) {
      return;
    }
    if (warnedFull.compareAndSet(false, true)) {
      LOG.warn("rate-limit memory store is full ({} buckets, piste.ratelimit.max-buckets): dropping"
          + " active buckets; raise the bound or use a shared store", maxBuckets);
    }
    for (ConcurrentHashMap<String, long[]> map : maps.values()) {
      for (Map.Entry<String, long[]> b : map.entrySet()) {
        if (size.get() <= target) {
          return;
        }
        long[] state = b.getValue();
        synchronized (state) {
          if (state.length > 0 && state[0] != DEAD) {
            drop(map, b.getKey(), state);
          }
        }
      }
    }
  }

  private void drop(ConcurrentHashMap<String, long[]> map, String key, long[] state) {
    if (map.remove(key, state)) {
      if (state.length > 0) {
        state[0] = DEAD;
      }
      size.decrementAndGet();
    }
  }
}
