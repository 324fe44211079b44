package dev.piste.core.internal.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
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
 * information). One map per limit set, from key to a cell holding an immutable {@code long[]} with
 * one long per limit (see {@link LimitSet}): about 90 bytes per bucket before the key, against about
 * 414 for a Caffeine map of Bucket4j local buckets.
 *
 * <p>A check never blocks: it computes the next state from a copy and installs it with a
 * compare-and-set, retrying when another request of the same bucket won the race. A hot bucket
 * (every request of one application) thus costs a retry under contention, never a parked thread or a
 * lock convoy.
 *
 * <p>When the map holds more than {@code maxBuckets}, or a minute after the last sweep, an insert
 * starts a sweep of idle buckets on the sweep executor (the common pool: never on the request
 * thread); if the map is still over its bound, the sweep drops active buckets too, the least used
 * first (logged once: their callers get fresh buckets).
 */
public final class MemoryStore implements BucketStore {

  private static final Logger LOG = LoggerFactory.getLogger(MemoryStore.class);
  private static final long SWEEP_EVERY_NANOS = 60_000_000_000L;
  /** The state of a cell removed from its map: a check that finds it starts again from the map. */
  private static final long[] DEAD = new long[0];
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Cell.class, "state", long[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One bucket: its state is replaced, never modified in place. */
  private static final class Cell {
    volatile long[] state;

    Cell(long[] state) {
      this.state = state;
    }
  }

  private final Map<LimitSet, ConcurrentHashMap<String, Cell>> maps = new ConcurrentHashMap<>();
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
    ConcurrentHashMap<String, Cell> map = maps.get(limits);
    if (map == null) {
      map = maps.computeIfAbsent(limits, l -> new ConcurrentHashMap<>());
    }
    for (;;) {
      Cell cell = map.get(key);
      if (cell == null) {
        Cell fresh = new Cell(limits.fresh());
        cell = map.putIfAbsent(key, fresh);
        if (cell == null) {
          cell = fresh;
          inserted(now);
        }
      }
      long[] current;
      while ((current = cell.state) != DEAD) {
        long[] next = current.clone();
        Verdict v = limits.apply(next, cost, now, calendar);
        if (!v.allowed() || STATE.compareAndSet(cell, current, next)) {
          return v;
        }
      }
      removeDead(map, key, cell);
    }
  }

  /** Removes a dead cell from its map (whoever removes it counts it). */
  private void removeDead(ConcurrentHashMap<String, Cell> map, String key, Cell cell) {
    if (map.remove(key, cell)) {
      size.decrementAndGet();
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

  /**
   * Drops idle buckets; when {@code full}, then active ones, the least used first, until 90 % of
   * the bound.
   */
  void sweep(long now, boolean full) {
    for (Map.Entry<LimitSet, ConcurrentHashMap<String, Cell>> e : maps.entrySet()) {
      LimitSet limits = e.getKey();
      for (Map.Entry<String, Cell> b : e.getValue().entrySet()) {
        long[] state = b.getValue().state;
        if (state != DEAD && limits.idle(state, now, calendar)) {
          drop(e.getValue(), b.getKey(), b.getValue(), state);
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
    // the buckets worth least first: a flood of fresh keys (a client rotating its addresses) is
    // dropped before the used-up quota it would otherwise reset. The threshold comes from a sample
    // of the buckets, so the sweep stays two passes over the maps, with no sort of all of them.
    long threshold = dropThreshold(now, (double) (size.get() - target) / Math.max(1, size.get()));
    for (boolean any : new boolean[] {false, true}) {
      for (Map.Entry<LimitSet, ConcurrentHashMap<String, Cell>> e : maps.entrySet()) {
        LimitSet limits = e.getKey();
        for (Map.Entry<String, Cell> b : e.getValue().entrySet()) {
          if (size.get() <= target) {
            return;
          }
          long[] state = b.getValue().state;
          if (state != DEAD && (any || limits.worthNanos(state, now, calendar) <= threshold)) {
            drop(e.getValue(), b.getKey(), b.getValue(), state);
          }
        }
      }
    }
  }

  /** The worth below which {@code share} of the buckets lie, from a sample of at most 4096. */
  private long dropThreshold(long now, double share) {
    long n = Math.max(1, size.get());
    // a stride over the whole store, whatever the order of its maps
    long every = Math.max(1, (n + 4095) / 4096);
    long[] sample = new long[(int) Math.min(n, 4096) + 1];
    int taken = 0;
    long seen = 0;
    for (Map.Entry<LimitSet, ConcurrentHashMap<String, Cell>> e : maps.entrySet()) {
      for (Cell c : e.getValue().values()) {
        long[] state = c.state;
        if (state != DEAD && seen++ % every == 0 && taken < sample.length) {
          sample[taken++] = e.getKey().worthNanos(state, now, calendar);
        }
      }
    }
    if (taken == 0) {
      return Long.MAX_VALUE;
    }
    Arrays.sort(sample, 0, taken);
    return sample[(int) Math.min(taken - 1, Math.max(0, Math.ceil(share * taken) - 1))];
  }

  /**
   * Drops a bucket whose state is still {@code seen}: a check that changed it in the meantime keeps
   * it, and a check racing the drop finds the cell dead and starts again from the map.
   */
  private void drop(ConcurrentHashMap<String, Cell> map, String key, Cell cell, long[] seen) {
    if (STATE.compareAndSet(cell, seen, DEAD)) {
      removeDead(map, key, cell);
    }
  }
}
