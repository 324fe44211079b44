package dev.piste.core.internal.ratelimit;

/**
 * What a store answered for one bucket.
 *
 * @param allowed whether the tokens were taken
 * @param remaining tokens left in the most restrictive limit of the bucket
 * @param nanosToWait when rejected, the time until the tokens are available; else 0
 * @param limitIndex the most restrictive limit (when rejected: the one that rejected)
 * @param dividedBy 1, or the instance count that divided the limits of the bucket that answered
 *     (the local fallback of a shared store that is down): the headers describe those limits
 */
public record Verdict(boolean allowed, long remaining, long nanosToWait, int limitIndex,
    int dividedBy) {

  public Verdict(boolean allowed, long remaining, long nanosToWait, int limitIndex) {
    this(allowed, remaining, nanosToWait, limitIndex, 1);
  }

  /** This verdict, answered by a bucket whose limits were divided by {@code instances}. */
  Verdict dividedBy(int instances) {
    return instances <= 1 ? this
        : new Verdict(allowed, remaining, nanosToWait, limitIndex, instances);
  }
}
