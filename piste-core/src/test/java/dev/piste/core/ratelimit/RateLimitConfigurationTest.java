package dev.piste.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.PisteConfigurationException;
import dev.piste.core.PisteConfig;
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
