package dev.piste.core.internal.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.internal.config.ValueType;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The keys under which the Redis and PostgreSQL stores keep their buckets. */
final class Bucket4jSupportTest {

  private static final long NOW = Instant.parse("2026-05-05T10:00:00Z").getEpochSecond()
      * 1_000_000_000L;
  private final Bucket4jSupport support =
      new Bucket4jSupport(new QuotaCalendar(ZoneOffset.UTC), "invoices");

  @Test
  void aKeyCarriesTheLimitsItsBucketWasCreatedWith() {
    LimitSet before = new LimitSet("gold", ValueType.parseLimits("100/s burst 200"));
    LimitSet after = new LimitSet("gold", ValueType.parseLimits("100/s burst 400"));

    assertThat(support.stampedKey("p|gold|billing-app", before, NOW))
        .isEqualTo("piste:invoices:100/sb200|p|gold|billing-app");
    assertThat(support.stampedKey("p|gold|billing-app", after, NOW))
        .isEqualTo("piste:invoices:100/sb400|p|gold|billing-app");
  }

  @Test
  void aKeyTooLongForTheTableIsReplacedByItsDigestTheSameForEveryCall() {
    LimitSet plan = new LimitSet("free", ValueType.parseLimits("5/s; 10000/day"));
    String longApp = "p|free|" + "a".repeat(600);

    String key = support.stampedKey(longApp, plan, NOW);
    assertThat(key).hasSizeLessThanOrEqualTo(Bucket4jSupport.MAX_KEY_LENGTH)
        .startsWith("piste:invoices:#").isEqualTo(support.stampedKey(longApp, plan, NOW))
        .isNotEqualTo(support.stampedKey(longApp + "b", plan, NOW));
    String readable = "p|free|" + "a".repeat(200);
    assertThat(support.stampedKey(readable, plan, NOW)).contains(readable);
  }
}
