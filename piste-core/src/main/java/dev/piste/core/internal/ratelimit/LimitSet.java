package dev.piste.core.internal.ratelimit;

import dev.piste.core.internal.pipeline.OperationLimit;
import dev.piste.ratelimit.Limit;
import java.util.ArrayList;
import java.util.List;

/**
 * The limits of one bucket (a plan, an operation limit, the anonymous limit), compiled once: the
 * arithmetic of the memory store lives here.
 *
 * <p>A smooth limit ({@code /s}, {@code /m}, {@code /h}) is a token bucket written as GCRA: its state
 * is one long, the theoretical arrival time (TAT) in epoch nanoseconds; a request of cost n is
 * allowed when {@code max(TAT, now) + n * interval - now <= burst * interval}. A calendar quota
 * ({@code /day}, {@code /month}) is one long too: the period index in the top 20 bits and the tokens
 * used in the low 44 bits. Identity equality: each set is one object for the engine's life.
 *
 * <p>A quota above {@code 2^44 - 1} is not counted: an unlimited plan's. The configuration refuses
 * what this arithmetic cannot hold ({@code ValueType.parseLimits}): a rate above one token a
 * nanosecond (the interval is at least 1 ns; Bucket4j refuses more as well) and a burst whose
 * refill time in nanoseconds, added to the epoch time of a bucket's state, would leave the range of
 * a long.
 */
public final class LimitSet {

  static final long USED_MASK = (1L << 44) - 1;
  private static final long PERIOD_MASK = (1L << 20) - 1;

  private final String name;
  private final List<Limit> limits;
  private final String spec;
  private final long[] interval;
  private final long[] capacityNanos;
  private final Limit.Unit[] units;
  private final long[] permits;
  private final String[] headerNames;
  private final String[] remainingPrefixes;
  private final String planKeyPrefix;
  private final long smallestQuota;
  private final String[] policies;
  private volatile CalendarPolicy[] calendarPolicies;
  /** The last division asked for, with its instance count: one object, so read whole. */
  private volatile Division division;

  private record Division(int instances, LimitSet limits) {}

  public LimitSet(String name, List<Limit> limits) {
    if (limits.isEmpty()) {
      throw new IllegalArgumentException("no limit");
    }
    this.name = name;
    this.limits = List.copyOf(limits);
    this.smallestQuota = OperationLimit.capacity(this.limits);
    int n = limits.size();
    this.interval = new long[n];
    this.capacityNanos = new long[n];
    this.units = new Limit.Unit[n];
    this.permits = new long[n];
    this.headerNames = new String[n];
    this.remainingPrefixes = new String[n];
    this.planKeyPrefix = "p|" + name + "|";
    this.policies = new String[n];
    this.calendarPolicies = new CalendarPolicy[n];
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      Limit l = limits.get(i);
      units[i] = l.unit();
      permits[i] = l.permits();
      headerNames[i] = "\"" + RateLimitStage.token(name) + "-" + l.unit().symbol() + "\"";
      remainingPrefixes[i] = headerNames[i] + ";r=";
      if (!l.unit().calendar()) {
        interval[i] = Math.max(1, l.unit().nominal().toNanos() / l.permits());
        capacityNanos[i] = saturatedMultiply(l.burst(), interval[i]);
        long window = Math.max(1, ceilSeconds(
            saturatedMultiply(l.burst(), l.unit().nominal().toNanos()) / l.permits()));
        policies[i] = policyValue(i, window);
      }
      sb.append(i == 0 ? "" : ";").append(l.permits()).append('/').append(l.unit().symbol());
      if (l.burst() != l.permits()) {
        sb.append('b').append(l.burst());
      }
    }
    this.spec = sb.toString();
  }

  /** The name used in headers and problem details: a plan name, {@code operation}, {@code anonymous}. */
  String name() {
    return name;
  }

  List<Limit> limits() {
    return limits;
  }

  Limit limit(int i) {
    return limits.get(i);
  }

  int size() {
    return limits.size();
  }

  /** A compact text of the limits, part of bucket keys: {@code 100/sb200;1000000/day}. */
  String spec() {
    return spec;
  }

  /** The same limits divided by an instance count (at least 1 token each), for the local fallback. */
  LimitSet divided(int instances) {
    if (instances <= 1) {
      return this;
    }
    Division d = division;
    if (d != null && d.instances() == instances) {
      return d.limits();
    }
    synchronized (this) {
      // one object per division: the memory store keeps a bucket map per limit set, so two
      // threads falling back at once must not make two
      d = division;
      if (d == null || d.instances() != instances) {
        List<Limit> out = new ArrayList<>();
        for (Limit l : limits) {
          long p = Math.max(1, l.permits() / instances);
          long b = l.unit().calendar() ? p : Math.max(p, l.burst() / instances);
          out.add(new Limit(p, l.unit(), b));
        }
        d = new Division(instances, new LimitSet(name, out));
        division = d;
      }
      return d.limits();
    }
  }

  /** The smallest of {@link #quota(int)}: the most one call can ever take from this set. */
  long smallestQuota() {
    return smallestQuota;
  }

  /** The quota of limit {@code i} in its window: the burst of a smooth limit, a quota's permits. */
  long quota(int i) {
    Limit l = limits.get(i);
    return l.unit().calendar() ? l.permits() : l.burst();
  }

  /** {@code "name-unit";r=}: the start of limit {@code i}'s {@code RateLimit} value. */
  String remainingPrefix(int i) {
    return remainingPrefixes[i];
  }

  /** {@code p|name|}: the start of the bucket key of this set as a plan, before the application. */
  String planKeyPrefix() {
    return planKeyPrefix;
  }

  /**
   * The {@code RateLimit-Policy} value of limit {@code i}: its name, quota and window in seconds. A
   * smooth limit's is computed once; a calendar quota's window is its current period (months and
   * days differ in length), computed once per period.
   */
  String policy(int i, long now, QuotaCalendar calendar) {
    String fixed = policies[i];
    if (fixed != null) {
      return fixed;
    }
    QuotaCalendar.Period p = calendar.current(units[i], now);
    CalendarPolicy[] cached = calendarPolicies;
    CalendarPolicy c = cached[i];
    if (c == null || c.index() != p.index()) {
      c = new CalendarPolicy(p.index(), policyValue(i, ceilSeconds(p.end() - p.start())));
      CalendarPolicy[] next = cached.clone();
      next[i] = c;
      calendarPolicies = next;
    }
    return c.value();
  }

  /** {@code "name-unit";q=quota;w=window}, the window in seconds. */
  private String policyValue(int i, long windowSeconds) {
    return headerNames[i] + ";q=" + quota(i) + ";w=" + windowSeconds;
  }

  /** The policy text of a calendar quota for one period. */
  private record CalendarPolicy(long index, String value) {}

  /** A state whose every limit is full. */
  long[] fresh() {
    return new long[limits.size()];
  }

  /** Whether a state carries no information (every limit full): such a bucket may be dropped. */
  boolean idle(long[] state, long now, QuotaCalendar calendar) {
    for (int i = 0; i < state.length; i++) {
      if (units[i].calendar()) {
        long used = state[i] & USED_MASK;
        if (used != 0 && usedIn(state[i], calendar.current(units[i], now)) != 0) {
          return false;
        }
      } else if (state[i] > now) {
        return false;
      }
    }
    return true;
  }

  /** The tokens a quota's state used in period {@code p}: none when it is of an earlier period. */
  private static long usedIn(long state, QuotaCalendar.Period p) {
    return (state >>> 44) == (p.index() & PERIOD_MASK) ? state & USED_MASK : 0;
  }

  /**
   * What dropping a bucket would give its caller back, as time: for each limit, how long until it
   * is full again (a quota: the share it used of the time left in its period), the largest. A full
   * store drops the buckets worth least first, so that a flood of fresh keys, each a burst spent,
   * cannot reset a used-up quota.
   */
  long worthNanos(long[] state, long now, QuotaCalendar calendar) {
    long most = 0;
    for (int i = 0; i < state.length; i++) {
      long worth;
      if (units[i].calendar()) {
        QuotaCalendar.Period p = calendar.current(units[i], now);
        long used = usedIn(state[i], p);
        long cap = Math.max(1, Math.min(permits[i], USED_MASK));
        // the time left, in thousandths of the quota used (no overflow: a month is < 2^52 ns)
        worth = used == 0 ? 0
            : Math.max(0, p.end() - now) / 1000 * Math.min(1000, used * 1000 / cap);
      } else {
        worth = Math.max(0, state[i] - now);
      }
      most = Math.max(most, worth);
    }
    return most;
  }

  /**
   * Applies a request of {@code cost} tokens to a state, all limits or none; a rejected request
   * leaves the state as it was. The caller owns the array (the memory store passes a copy that it
   * then installs with a compare-and-set).
   */
  Verdict apply(long[] state, long cost, long now, QuotaCalendar calendar) {
    boolean allowed = true;
    long minRemaining = Long.MAX_VALUE;
    int minIndex = 0;
    long wait = 0;
    int blocking = -1;
    long blockingRemaining = 0;
    for (int i = 0; i < state.length; i++) {
      long remaining;
      if (units[i].calendar()) {
        QuotaCalendar.Period p = calendar.current(units[i], now);
        long used = usedIn(state[i], p);
        long cap = Math.min(permits[i], USED_MASK);
        if (used + cost > cap && permits[i] <= USED_MASK) {
          allowed = false;
          remaining = cap - used;
          long w = p.end() - now;
          if (blocking < 0 || w > wait) {
            wait = w;
            blocking = i;
            blockingRemaining = remaining;
          }
        } else {
          remaining = Math.max(0, cap - used - cost);
        }
      } else {
        long tat = Math.max(state[i], now);
        long next = saturatedAdd(tat, saturatedMultiply(cost, interval[i]));
        long over = next - now - capacityNanos[i];
        if (over > 0) {
          allowed = false;
          remaining = Math.max(0, (capacityNanos[i] - (tat - now)) / interval[i]);
          if (blocking < 0 || over > wait) {
            wait = over;
            blocking = i;
            blockingRemaining = remaining;
          }
        } else {
          remaining = (capacityNanos[i] - (next - now)) / interval[i];
        }
      }
      if (remaining < minRemaining) {
        minRemaining = remaining;
        minIndex = i;
      }
    }
    if (!allowed) {
      // the limit named in the answer, with what it holds: the others took nothing
      return new Verdict(false, blockingRemaining, wait, blocking);
    }
    for (int i = 0; i < state.length; i++) {
      if (units[i].calendar()) {
        QuotaCalendar.Period p = calendar.current(units[i], now);
        long stamp = p.index() & PERIOD_MASK;
        long used = (state[i] >>> 44) == stamp ? state[i] & USED_MASK : 0;
        state[i] = (stamp << 44) | Math.min(USED_MASK, used + cost);
      } else {
        state[i] = saturatedAdd(Math.max(state[i], now), saturatedMultiply(cost, interval[i]));
      }
    }
    return new Verdict(true, minRemaining, 0, minIndex);
  }

  /**
   * Seconds until the limit {@code i} is whole again given {@code remaining} tokens: the end of the
   * period for a quota, the refill time of the missing tokens otherwise. For the {@code t} parameter
   * of the {@code RateLimit} header.
   */
  long resetSeconds(int i, long remaining, long now, QuotaCalendar calendar) {
    Limit l = limits.get(i);
    long nanos;
    if (l.unit().calendar()) {
      nanos = calendar.current(l.unit(), now).end() - now;
    } else {
      nanos = saturatedMultiply(Math.max(0, l.burst() - remaining), interval[i]);
    }
    return ceilSeconds(nanos);
  }

  static long ceilSeconds(long nanos) {
    if (nanos <= 0) {
      return 0;
    }
    return nanos / 1_000_000_000L + (nanos % 1_000_000_000L == 0 ? 0 : 1);
  }

  static long saturatedMultiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
      return lo;
    }
    return Long.MAX_VALUE;
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  @Override
  public String toString() {
    return name + "[" + spec + "]";
  }
}
