package dev.piste.core.internal.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.internal.config.ValueType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.LocalBucketBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
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

  /**
   * The largest limits the configuration accepts make a Bucket4j bucket: Bucket4j refuses a refill
   * above one token a nanosecond, and only when the first call of a limit set builds its
   * configuration.
   */
  @Test
  void theLargestLimitsTheConfigurationAcceptsMakeABucket() {
    LimitSet top = new LimitSet("top", ValueType.parseLimits("1000000000/s burst 999999999999999;"
        + " 60000000000/m; 3600000000000/h; 17592186044415/day; 17592186044415/month"));

    LocalBucketBuilder b = Bucket.builder().withCustomTimePrecision(Bucket4jSupport.timeMeter(
        Clock.fixed(Instant.ofEpochSecond(NOW / 1_000_000_000L), ZoneOffset.UTC)));
    for (Bandwidth bw : support.configuration(top).getBandwidths()) {
      b.addLimit(bw);
    }
    assertThat(b.build().tryConsumeAndReturnRemaining(1).getRemainingTokens())
        .isEqualTo(60_000_000_000L - 1);
  }

  /**
   * Instances of one version share buckets only if they build the same keys: these are the keys, to
   * the byte, of a plan with a smooth limit and two quotas, with and without an API id, and digested
   * when too long (the digest of the whole readable key, API id included, or in place of an API id
   * too long to keep).
   */
  @Test
  void theKeyFormatIsFixedToTheByte() throws Exception {
    LimitSet plan = new LimitSet("free", ValueType.parseLimits("5/s; 10000/day; 200000/month"));
    Bucket4jSupport noApi = new Bucket4jSupport(new QuotaCalendar(ZoneOffset.UTC), null);
    Bucket4jSupport longApi =
        new Bucket4jSupport(new QuotaCalendar(ZoneOffset.UTC), "x".repeat(300));
    String longApp = "p|free|" + "a".repeat(600);

    assertThat(support.stampedKey("p|free|billing-app", plan, NOW))
        .isEqualTo("piste:invoices:5/s;10000/day;200000/month|p|free|billing-app|d20578|m24316");
    assertThat(noApi.stampedKey("p|free|billing-app", plan, NOW))
        .isEqualTo("piste:5/s;10000/day;200000/month|p|free|billing-app|d20578|m24316");
    assertThat(support.stampedKey(longApp, plan, NOW))
        .isEqualTo("piste:invoices:#iv9jaRSHc7xg98DuVRU4O8FBMIQdR_bZX2e-ckaD5Qg")
        .isEqualTo("piste:invoices:#" + Base64.getUrlEncoder().withoutPadding().encodeToString(
            MessageDigest.getInstance("SHA-256").digest(("piste:invoices:5/s;10000/day;200000/month|"
                + longApp + "|d20578|m24316").getBytes(StandardCharsets.UTF_8))));
    assertThat(noApi.stampedKey(longApp, plan, NOW))
        .isEqualTo("piste:#a0f6gUOKJ6ZwaqRyfn72-AIsrBk3sxwbaz4w80I64ys");
    assertThat(longApi.stampedKey("p|free|billing-app", plan, NOW))
        .isEqualTo("piste:#3YRHpodCYDfgm86bIqp_QDkLny9CScJtLo8h8q4JDXQ");
  }
}
