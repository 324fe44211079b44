package dev.piste.core.internal.ratelimit;

/**
 * What a store answered for one bucket.
 *
 * @param allowed whether the tokens were taken
 * @param remaining tokens left in the most restrictive limit of the bucket
 * @param nanosToWait when rejected, the time until the tokens are available; else 0
 * @param limitIndex the most restrictive limit (when rejected: the one that rejected)
 */
public record Verdict(boolean allowed, long remaining, long nanosToWait, int limitIndex) {}
