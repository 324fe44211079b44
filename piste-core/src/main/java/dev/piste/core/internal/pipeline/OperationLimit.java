package dev.piste.core.internal.pipeline;

import dev.piste.annotation.RateLimit;
import dev.piste.ratelimit.Limit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A limit attached to one operation ({@code @RateLimit} or a servlet rule), applied in addition to
 * the caller's plan. A value: two equal limits share their compiled form in the rate-limit stage,
 * which looks it up on every request, so the hash is computed once, here.
 */
public final class OperationLimit {

  private final List<Limit> limits;
  private final String per;
  private final long cost;
  private final boolean shared;
  private final int hash;

  /**
   * @param limits the limits, all of which must allow the call
   * @param per what the bucket counts per: {@code application}, {@code subject} or {@code client-ip}
   * @param cost tokens one call takes, at most the {@link #capacity} of the limits
   * @param shared whether the bucket is shared by every operation of the API
   */
  public OperationLimit(List<Limit> limits, String per, long cost, boolean shared) {
    this.limits = List.copyOf(limits);
    if (cost < 1) {
      throw new IllegalArgumentException("cost must be at least 1");
    }
    long capacity = capacity(this.limits);
    if (cost > capacity) {
      // a call would need more tokens than the bucket ever holds: refused forever, with a 429
      throw new IllegalArgumentException("cost " + cost + " is above " + capacity
          + ", the smallest capacity of the limits " + this.limits.stream().map(Limit::toString)
              .collect(Collectors.joining("; ")));
    }
    this.per = Objects.requireNonNull(per, "per");
    this.cost = cost;
    this.shared = shared;
    this.hash = Objects.hash(this.limits, per, cost, shared);
  }

  /**
   * The name of what a bucket counts per, as {@link #per()} gives it and the servlet limit rules
   * write it: {@code application}, {@code subject}, {@code client-ip}.
   */
  public static String perName(RateLimit.Per per) {
    return per.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The most tokens one call can take under these limits: the smallest capacity among them (a
   * burst, or a quota's permits); {@link Long#MAX_VALUE} for none.
   */
  public static long capacity(List<Limit> limits) {
    long min = Long.MAX_VALUE;
    for (Limit l : limits) {
      min = Math.min(min, l.burst());
    }
    return min;
  }

  public List<Limit> limits() {
    return limits;
  }

  public String per() {
    return per;
  }

  public long cost() {
    return cost;
  }

  public boolean shared() {
    return shared;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof OperationLimit l && hash == l.hash && cost == l.cost
        && shared == l.shared && per.equals(l.per) && limits.equals(l.limits);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "OperationLimit[limits=" + limits + ", per=" + per + ", cost=" + cost + ", shared="
        + shared + "]";
  }
}
