package dev.piste.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.PisteConfigurationException;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.config.RateLimitKeys;
import dev.piste.core.internal.ratelimit.RateLimitStage;
import dev.piste.core.testing.ConfigProblems;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RateLimitConfigurationTest {

  @Test
  void applicationOverrideMustNameADefinedPlan() {
    assertThat(ConfigProblems.of(Map.of("piste.ratelimit.plans.gold", "10/s",
        "piste.ratelimit.applications.billing", "platinum")).problems())
        .anySatisfy(p -> {
          assertThat(p.key()).isEqualTo("piste.ratelimit.applications.billing");
          assertThat(p.value()).isEqualTo("platinum");
        });
  }

  @Test
  void everyRateLimitProblemIsReportedAtOnce() {
    PisteConfigurationException e = ConfigProblems.of(Map.of(
        "piste.ratelimit.store", "postgresql",
        "piste.ratelimit.jdbc.url", "jdbc:postgresql://db/x",
        "piste.ratelimit.jdbc.table", "buckets; DROP TABLE x",
        "piste.ratelimit.redis.uri", "http://cache:6379",
        "piste.ratelimit.store-timeout", "0ms",
        "piste.ratelimit.default-plan", "missing"));
    assertThat(e.problems()).extracting(PisteConfigurationException.Problem::key)
        .contains("piste.ratelimit.jdbc.table", "piste.ratelimit.redis.uri",
            "piste.ratelimit.store-timeout", "piste.ratelimit.default-plan");
  }

  /**
   * Bucket4j refuses a refill above one token a nanosecond at each call: such limits are refused at
   * start-up, the largest ones it takes are accepted.
   */
  @Test
  void aLimitBeyondWhatTheStoresEnforceIsRefusedAtStartUpNamingItsKey() {
    PisteConfigurationException e = ConfigProblems.of(Map.of(
        "piste.ratelimit.plans.second", "2000000000/s",
        "piste.ratelimit.plans.minute", "60000000001/m",
        "piste.ratelimit.plans.hour", "5/s; 3600000000001/h",
        "piste.ratelimit.plans.burst", "1/h burst 876001",
        "piste.ratelimit.anonymous", "1000000001/s"));
    assertThat(e.problems()).extracting(PisteConfigurationException.Problem::key)
        .containsExactlyInAnyOrder("piste.ratelimit.plans.second", "piste.ratelimit.plans.minute",
            "piste.ratelimit.plans.hour", "piste.ratelimit.plans.burst",
            "piste.ratelimit.anonymous");
    assertThat(e.problems()).allSatisfy(p -> assertThat(p.expected())
        .contains("at most one token a nanosecond (1000000000/s, 60000000000/m, 3600000000000/h)")
        .contains("a burst refilled within 36500 days"));
    assertThat(e.problems()).filteredOn(p -> p.key().equals("piste.ratelimit.plans.second"))
        .singleElement().satisfies(p -> assertThat(p.value()).isEqualTo("2000000000/s"));
  }

  @Test
  void theLargestLimitsTheStoresEnforceAreAccepted() {
    PisteConfig config = PisteConfig.of(Map.of(
        "piste.ratelimit.plans.top", "1000000000/s burst 999999999999999; 60000000000/m;"
            + " 3600000000000/h; 17592186044415/day; 17592186044415/month",
        "piste.ratelimit.plans.slow", "1/h burst 876000",
        // an unlimited plan: more than the memory store counts, so never refused
        "piste.ratelimit.plans.unlimited", "999999999999999/month"));
    assertThat(config.values(RateLimitKeys.PLANS)).containsOnlyKeys("top", "slow", "unlimited");
  }

  @Test
  void storeNeedsItsConnectionKey() {
    assertThat(ConfigProblems.of(Map.of("piste.ratelimit.store", "redis")).problems())
        .anySatisfy(p -> assertThat(p.key()).isEqualTo("piste.ratelimit.redis.uri"));
  }

  @Test
  void disabledRateLimitingIsAPassThroughStage() {
    PisteConfig config = PisteConfig.of(Map.of("piste.ratelimit.enabled", "false",
        "piste.ratelimit.plans.tiny", "1/day", "piste.ratelimit.default-plan", "tiny"));
    assertThat(RateLimitStage.create(config, null, null)).isNotInstanceOf(RateLimitStage.class);
  }
}
