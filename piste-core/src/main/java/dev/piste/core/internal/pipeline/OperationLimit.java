package dev.piste.core.internal.pipeline;

import dev.piste.ratelimit.Limit;
import java.util.List;

/**
 * A limit attached to one operation ({@code @RateLimit} or a servlet rule), applied in addition to
 * the caller's plan.
 *
 * @param limits the limits, all of which must allow the call
 * @param per what the bucket counts per: {@code application}, {@code subject} or {@code client-ip}
 * @param cost tokens one call takes
 * @param shared whether the bucket is shared by every operation of the API
 */
public record OperationLimit(List<Limit> limits, String per, long cost, boolean shared) {
  public OperationLimit {
    limits = List.copyOf(limits);
    if (cost < 1) {
      throw new IllegalArgumentException("cost must be at least 1");
    }
  }
}
