package dev.piste.ratelimit;

import java.util.List;
import java.util.Objects;

/**
 * A named set of limits that applies per application, for example {@code gold} =
 * {@code 100/s burst 200; 1000000/day}.
 *
 * @param name the plan's name as used in configuration and token claims
 * @param limits the limits, all of which must allow a request; never empty
 */
public record Plan(String name, List<Limit> limits) {
  public Plan {
    Objects.requireNonNull(name, "name");
    limits = List.copyOf(limits);
    if (limits.isEmpty()) {
      throw new IllegalArgumentException("plan " + name + " has no limit");
    }
  }

  /** The string form of the limits: {@code 100/s burst 200; 1000000/day}. */
  public String spec() {
    StringBuilder sb = new StringBuilder();
    for (Limit l : limits) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(l);
    }
    return sb.toString();
  }
}
