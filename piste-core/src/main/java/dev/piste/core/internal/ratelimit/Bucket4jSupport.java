package dev.piste.core.internal.ratelimit;

import dev.piste.core.internal.token.Sha256;
import dev.piste.ratelimit.Limit;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the Redis and PostgreSQL stores share: one Bucket4j bucket per key holds every limit of the
 * set, and the key carries the limits. Smooth limits refill greedily; a quota's bucket key carries
 * its calendar period
 * ({@code |d20418}, {@code |m24310}), so a new day or month starts a new bucket whatever the month's
 * length, and the old one expires.
 */
final class Bucket4jSupport {

  /**
   * The longest key handed to a store; longer keys are replaced by a digest. Far below the
   * {@code VARCHAR(512)} of the PostgreSQL table, whose DBA may have made it shorter still.
   */
  static final int MAX_KEY_LENGTH = 255;

  /**
   * How long a bucket is kept once it is full again (it then carries no information): a margin for
   * instances whose clocks differ, not a retention.
   */
  static final Duration KEEP_WHEN_FULL = Duration.ofMinutes(1);

  /**
   * The refill period of a quota, longer than any of its calendar periods so that it never refills
   * within one: a day lasts at most 25 hours, a month at most 31 days and an hour.
   */
  private static final Duration DAY_QUOTA_REFILL = Duration.ofDays(2);
  private static final Duration MONTH_QUOTA_REFILL = Duration.ofDays(32);

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  /**
   * What each limit set's calls share, built once: its Bucket4j configuration and the start of its
   * keys ({@code piste:<api id>:} + its spec + {@code |}).
   */
  private record Shape(BucketConfiguration configuration, String keyStart) {}

  private final Map<LimitSet, Shape> shapes = new ConcurrentHashMap<>();
  private final QuotaCalendar calendar;
  /** The start of every key: {@link #UNNAMED} until the API has an id. */
  private volatile String prefix;
  private static final String UNNAMED = "piste:";

  /**
   * @param apiId the API whose buckets these are ({@code piste.api.id}): the keys of APIs sharing
   *     one Redis or one table never meet; {@code null} until {@link #apiDescribed} names it
   */
  Bucket4jSupport(QuotaCalendar calendar, String apiId) {
    this.calendar = calendar;
    this.prefix = apiId == null ? UNNAMED : UNNAMED + apiId + ":";
  }

  /**
   * The API's id from its description ({@code @PisteApi}), when {@code piste.api.id} named none:
   * from then on its keys are its own. Requests before it (before deployment ends) used the
   * unnamed keys.
   */
  void apiDescribed(String apiId) {
    if (UNNAMED.equals(prefix) && apiId != null) {
      prefix = UNNAMED + apiId + ":";
      shapes.clear();
    }
  }

  /** Bucket4j's clock, read from the engine's clock so that tests control quotas and refills. */
  static TimeMeter timeMeter(Clock clock) {
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
  }

  /**
   * The expiry of every shared bucket: its full refill time plus {@link #KEEP_WHEN_FULL}, computed
   * at each write. Bucket4j adds the duration given here to the refill time (it is not a cap): a
   * smooth bucket goes a minute after it is full again, a quota's bucket a minute after its refill
   * period (two days for a day, 32 for a month, counted from its creation), when its period is long
   * over.
   */
  static ExpirationAfterWriteStrategy expiry() {
    return ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_WHEN_FULL);
  }

  BucketConfiguration configuration(LimitSet limits) {
    return shape(limits).configuration();
  }

  private Shape shape(LimitSet limits) {
    Shape s = shapes.get(limits);
    if (s == null) {
      s = shapes.computeIfAbsent(limits, l -> new Shape(build(l), prefix + l.spec() + '|'));
    }
    return s;
  }

  private static BucketConfiguration build(LimitSet limits) {
    ConfigurationBuilder b = BucketConfiguration.builder();
    for (Limit l : limits.limits()) {
      Bandwidth bw;
      if (l.unit().calendar()) {
        // the key carries the calendar period, so a new day or month is a new bucket: a quota must
        // never refill within its period, whose length varies (a 25-hour day, a 31-day month with
        // the hour DST gives back)
        Duration never = l.unit() == Limit.Unit.DAY ? DAY_QUOTA_REFILL : MONTH_QUOTA_REFILL;
        bw = Bandwidth.builder().capacity(l.permits()).refillIntervally(l.permits(), never).build();
      } else {
        bw = Bandwidth.builder().capacity(l.burst())
            .refillGreedy(l.permits(), l.unit().nominal()).build();
      }
      b.addLimit(bw);
    }
    return b.build();
  }

  /**
   * The bucket key: {@code piste:<api id>:} + the limits' spec + {@code |} + the key + one calendar
   * stamp per quota ({@code piste:invoices:5/s;10000/day|p|free|billing-app|d20578}). Bucket4j
   * reads a bucket's configuration only when it creates the bucket, so the limits are part of the
   * key: changed limits (a plan edited between two runs) are a new bucket, never the old limits
   * enforced under the new headers. A key longer than {@link #MAX_KEY_LENGTH} is replaced by its
   * digest.
   */
  String stampedKey(String key, LimitSet limits, long now) {
    String start = shape(limits).keyStart();
    StringBuilder sb = new StringBuilder(start.length() + key.length() + 24)
        .append(start).append(key);
    for (Limit l : limits.limits()) {
      if (l.unit().calendar()) {
        sb.append(l.unit() == Limit.Unit.DAY ? "|d" : "|m")
            .append(calendar.current(l.unit(), now).index());
      }
    }
    return sb.length() <= MAX_KEY_LENGTH ? sb.toString() : digest(sb);
  }

  /**
   * A key too long for the store ({@code id VARCHAR(512)}: an application id, subject or custom key
   * of hundreds of characters): the prefix and {@code #} + the SHA-256 of the whole key in
   * base64url, the same for every call of one caller and period. Readable keys never start with
   * {@code #} after the prefix (a spec starts with a digit). The digest is of the key's UTF-8
   * bytes, by the per-thread instance of {@link Sha256}.
   */
  private String digest(CharSequence key) {
    byte[] d = Sha256.digest(key.toString());
    // a prefix too long to keep (an API id of hundreds of characters) is inside the digest anyway
    String p = prefix.length() <= MAX_KEY_LENGTH - 44 ? prefix : UNNAMED;
    return p + "#" + BASE64URL.encodeToString(d);
  }

  /** The verdict of a Bucket4j answer; a quota that rejected waits until its period ends. */
  Verdict verdict(VerboseResult<ConsumptionProbe> result, LimitSet limits, long cost, long now) {
    ConsumptionProbe probe = result.getValue();
    long[] available = result.getDiagnostics().getAvailableTokensPerEachBandwidth();
    int min = 0;
    for (int i = 1; i < available.length && i < limits.size(); i++) {
      if (available[i] < available[min]) {
        min = i;
      }
    }
    long remaining = Math.max(0, probe.getRemainingTokens());
    if (probe.isConsumed()) {
      return new Verdict(true, remaining, 0, min);
    }
    long wait = 0;
    int blocking = min;
    for (int i = 0; i < available.length && i < limits.size(); i++) {
      if (available[i] >= cost) {
        continue;
      }
      Limit l = limits.limit(i);
      // each limit's own wait: Bucket4j's is that of the whole bucket, a quota's refill included
      long w = l.unit().calendar() ? calendar.current(l.unit(), now).end() - now
          : refillNanos(cost - Math.max(0, available[i]), l);
      if (w > wait) {
        wait = w;
        blocking = i;
      }
    }
    // the limit named in the answer, with what it holds: the others took nothing
    return new Verdict(false, Math.max(0, available[blocking]), Math.max(wait, 1), blocking);
  }

  /** The time a greedy limit takes to refill {@code tokens} (permits spread over its period). */
  private static long refillNanos(long tokens, Limit l) {
    long period = l.unit().nominal().toNanos();
    if (tokens > Long.MAX_VALUE / period) {
      return Long.MAX_VALUE;
    }
    long n = tokens * period;
    return n / l.permits() + (n % l.permits() == 0 ? 0 : 1);
  }
}
