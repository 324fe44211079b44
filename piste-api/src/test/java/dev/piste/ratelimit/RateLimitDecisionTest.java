package dev.piste.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class RateLimitDecisionTest {

  @Test
  void retryAfterRoundsTheWaitUpToWholeSecondsAndIsAtLeastOne() {
    assertThat(RateLimitDecision.rejected(0, 1).retryAfterSeconds()).isEqualTo(1);
    assertThat(RateLimitDecision.rejected(0, 1_000_000_000L).retryAfterSeconds()).isEqualTo(1);
    assertThat(RateLimitDecision.rejected(0, 1_000_000_001L).retryAfterSeconds()).isEqualTo(2);
    assertThat(RateLimitDecision.rejected(0, 40_000_000_000L).retryAfterSeconds()).isEqualTo(40);
    assertThat(RateLimitDecision.allowed(3).retryAfterSeconds()).isZero();
  }

  @Test
  void anAllowedDecisionHasNothingToWaitFor() {
    assertThatThrownBy(() -> new RateLimitDecision(true, 1, 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RateLimitDecision.rejected(-1, 5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
