package dev.piste.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * One limit of a plan or an operation: {@code permits} per {@code unit}, with an optional burst.
 *
 * <p>Second, minute and hour limits refill smoothly (greedily): {@code 50/s} adds one token every
 * 20 ms, and {@code burst} sets the bucket capacity above the per-period amount. Day and month
 * limits are quotas that reset on the calendar (midnight, the first of the month) in the configured
 * time zone.
 *
 * <p>String form, parsed by the configuration: {@code 50/s}, {@code 100/s burst 200},
 * {@code 10000/day}, {@code 1000000/month}.
 *
 * @param permits tokens granted per unit, at least 1
 * @param unit the period
 * @param burst the bucket capacity, at least {@code permits}; equal to it when no burst is given
 */
public record Limit(long permits, Unit unit, long burst) {

  /** The period of a limit. */
  public enum Unit {
    SECOND("s", Duration.ofSeconds(1), false),
    MINUTE("m", Duration.ofMinutes(1), false),
    HOUR("h", Duration.ofHours(1), false),
    DAY("day", Duration.ofDays(1), true),
    MONTH("month", Duration.ofDays(31), true);

    private final String symbol;
    private final Duration nominal;
    private final boolean calendar;

    Unit(String symbol, Duration nominal, boolean calendar) {
      this.symbol = symbol;
      this.nominal = nominal;
      this.calendar = calendar;
    }

    /** The symbol used in the string form: {@code s}, {@code m}, {@code h}, {@code day}, {@code month}. */
    public String symbol() {
      return symbol;
    }

    /** The nominal length (a month counts 31 days here; the quota itself follows the calendar). */
    public Duration nominal() {
      return nominal;
    }

    /** Whether the limit is a quota that resets on the calendar rather than refilling smoothly. */
    public boolean calendar() {
      return calendar;
    }
  }

  public Limit {
    Objects.requireNonNull(unit, "unit");
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, was " + permits);
    }
    if (burst < permits) {
      throw new IllegalArgumentException("burst must be at least permits (" + permits + "), was " + burst);
    }
    if (unit.calendar() && burst != permits) {
      throw new IllegalArgumentException("a " + unit.symbol() + " quota takes no burst");
    }
  }

  /** A limit without burst. */
  public static Limit of(long permits, Unit unit) {
    return new Limit(permits, unit, permits);
  }

  /** The string form, which the configuration parses back to an equal limit. */
  @Override
  public String toString() {
    String s = permits + "/" + unit.symbol();
    return burst == permits ? s : s + " burst " + burst;
  }
}
