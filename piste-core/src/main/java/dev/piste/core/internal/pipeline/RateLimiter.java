package dev.piste.core.internal.pipeline;

import dev.piste.core.internal.problem.Problem;

/**
 * Rate limits and quotas. {@link #beforeAuthentication} runs before any signature is verified (the
 * anonymous per-IP limit), {@link #check} after authorization (plan and operation limits). Both add
 * their response headers to the exchange and return a 429 or 503 problem, or {@code null}.
 */
public interface RateLimiter extends AutoCloseable {

  Problem beforeAuthentication(Exchange exchange);

  Problem check(Exchange exchange);

  /** A failed authentication, counted against the anonymous limit. */
  default void authenticationFailed(Exchange exchange) {}

  @Override
  default void close() {}

  /** The API's id from its description, when the configuration named none. */
  default void apiDescribed(String apiId) {}

  /** No limit at all. */
  static RateLimiter none() {
    return new RateLimiter() {
      @Override
      public Problem beforeAuthentication(Exchange exchange) {
        return null;
      }

      @Override
      public Problem check(Exchange exchange) {
        return null;
      }
    };
  }
}
