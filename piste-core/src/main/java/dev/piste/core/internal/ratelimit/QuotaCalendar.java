package dev.piste.core.internal.ratelimit;

import dev.piste.ratelimit.Limit;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * The calendar periods of daily and monthly quotas in one time zone: a day runs from midnight to
 * midnight, a month from the first at midnight to the next first. The current period of each unit
 * is cached, so a check costs two comparisons until the period ends.
 */
public final class QuotaCalendar {

  /** One period: {@code [start, end)} in epoch nanoseconds, and an index that identifies it. */
  record Period(long start, long end, long index) {
    boolean contains(long epochNanos) {
      return epochNanos >= start && epochNanos < end;
    }
  }

  private final ZoneId zone;
  private volatile Period day;
  private volatile Period month;

  public QuotaCalendar(ZoneId zone) {
    this.zone = zone;
  }

  ZoneId zone() {
    return zone;
  }

  /** The period of a day or month quota containing this instant. */
  Period current(Limit.Unit unit, long epochNanos) {
    boolean isDay = unit == Limit.Unit.DAY;
    Period p = isDay ? day : month;
    if (p != null && p.contains(epochNanos)) {
      return p;
    }
    Instant instant = Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
        Math.floorMod(epochNanos, 1_000_000_000L));
    LocalDate date = LocalDate.ofInstant(instant, zone);
    if (isDay) {
      p = new Period(nanos(date), nanos(date.plusDays(1)), date.toEpochDay());
      day = p;
    } else {
      LocalDate first = date.withDayOfMonth(1);
      p = new Period(nanos(first), nanos(first.plusMonths(1)),
          first.getYear() * 12L + first.getMonthValue() - 1);
      month = p;
    }
    return p;
  }

  private long nanos(LocalDate date) {
    Instant i = date.atStartOfDay(zone).toInstant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
