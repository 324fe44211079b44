package dev.piste.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.AuthenticationMethod;
import dev.piste.Caller;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ResolverFactoriesTest {

  private final Caller app = Caller.builder().applicationId("billing").method(AuthenticationMethod.JWT)
      .claims(Map.of("plan", "gold", "tier", 3)).build();
  private final Caller user = app.toBuilder().subject("alice").build();

  @Test
  void keyResolversCountPerApplicationSubjectOrClientIpAndFallBackOnAnonymousCallers() {
    assertThat(RateLimitKeyResolver.byApplication().key(app, null, "192.0.2.1")).isEqualTo("app:billing");
    assertThat(RateLimitKeyResolver.byApplication().key(Caller.anonymous(), null, "192.0.2.1"))
        .isEqualTo("ip:192.0.2.1");
    assertThat(RateLimitKeyResolver.bySubject().key(user, null, "192.0.2.1")).isEqualTo("sub:alice");
    assertThat(RateLimitKeyResolver.bySubject().key(app, null, "192.0.2.1")).isEqualTo("app:billing");
    assertThat(RateLimitKeyResolver.byClientIp().key(user, null, "192.0.2.1")).isEqualTo("ip:192.0.2.1");
  }

  @Test
  void planResolversReadAStringClaimOrAMapAndChain() {
    assertThat(PlanResolver.fromClaim("plan").plan(app, null)).isEqualTo("gold");
    assertThat(PlanResolver.fromClaim("tier").plan(app, null)).isNull();
    assertThat(PlanResolver.none().orElse(PlanResolver.byApplication(Map.of("billing", "free")))
        .plan(app, null)).isEqualTo("free");
    assertThat(PlanResolver.byApplication(Map.of()).plan(Caller.anonymous(), null)).isNull();
  }
}
