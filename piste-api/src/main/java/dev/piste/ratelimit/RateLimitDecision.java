package dev.piste.ratelimit;

/**
 * The outcome of one rate-limit check, as a value: whether the request may proceed, the tokens left
 * in the most restrictive limit, and how long to wait before a retry can succeed.
 *
 * @param allowed whether the tokens were taken
 * @param remainingTokens tokens left in the most restrictive limit after this check, at least 0
 * @param nanosToWait 0 when allowed; otherwise the time until the request's tokens are available
 *     (for a used-up daily or monthly quota, until the quota resets on the calendar)
 */
public record RateLimitDecision(boolean allowed, long remainingTokens, long nanosToWait) {

  public RateLimitDecision {
    if (remainingTokens < 0) {
      throw new IllegalArgumentException("remainingTokens must not be negative, was " + remainingTokens);
    }
    if (nanosToWait < 0 || (allowed && nanosToWait != 0)) {
      throw new IllegalArgumentException("nanosToWait must be 0 when allowed and never negative");
    }
  }

  /** An allowed request with this many tokens left. */
  public static RateLimitDecision allowed(long remainingTokens) {
    return new RateLimitDecision(true, remainingTokens, 0);
  }

  /** A rejected request that may succeed after this many nanoseconds. */
  public static RateLimitDecision rejected(long remainingTokens, long nanosToWait) {
    return new RateLimitDecision(false, remainingTokens, nanosToWait);
  }

  /** The {@code Retry-After} value: the wait rounded up to whole seconds, at least 1 when rejected. */
  public long retryAfterSeconds() {
    if (allowed) {
      return 0;
    }
    long s = nanosToWait / 1_000_000_000L;
    return nanosToWait % 1_000_000_000L == 0 ? Math.max(1, s) : s + 1;
  }
}
