package dev.piste.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.internal.config.ValueType;
import dev.piste.core.internal.pipeline.OperationLimit;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.testing.TestClock;
import dev.piste.core.testing.TestRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class TrustedProxyRateLimitTest {

  private final OperationPolicy perIp = new OperationPolicy("status", "/v1/status", true, Set.of(),
      List.of(new OperationLimit(ValueType.parseLimits("1/m"), "client-ip", 1, false)), true);

  @Test
  void spoofedXForwardedForFromAnUntrustedPeerCannotEscapeThePerIpLimit() {
    try (TestEngine e = new TestEngine(Map.of("piste.ratelimit.trusted-proxies", "10.0.0.0/8"),
        TestClock.at(Instant.parse("2026-01-01T00:00:00Z")))) {
      for (int i = 0; i < 3; i++) {
        TestRequest r = TestRequest.of("GET", "/v1/status").remoteAddress("203.0.113.5")
            .header("X-Forwarded-For", "198.51.100." + i);
        TestEngine.Result result = e.call(r, perIp);
        assertThat(result.exchange().clientIp()).isEqualTo("203.0.113.5");
        assertThat(result.status()).isEqualTo(i == 0 ? 200 : 429);
      }
    }
  }

  @Test
  void clientsBehindATrustedProxyAreCountedSeparately() {
    try (TestEngine e = new TestEngine(Map.of("piste.ratelimit.trusted-proxies", "10.0.0.0/8"),
        TestClock.at(Instant.parse("2026-01-01T00:00:00Z")))) {
      for (int i = 0; i < 3; i++) {
        TestRequest r = TestRequest.of("GET", "/v1/status").remoteAddress("10.0.0.1")
            .header("X-Forwarded-For", "198.51.100." + i);
        assertThat(e.call(r, perIp).status()).isEqualTo(200);
      }
    }
  }
}
