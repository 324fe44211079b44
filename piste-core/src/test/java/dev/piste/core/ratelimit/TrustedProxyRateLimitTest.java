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
  void anIpv6ClientIsCountedByItsSlash64SoThatRotatingItsAddressesDoesNotEscapeTheLimit() {
    try (TestEngine e = new TestEngine(Map.of(),
        TestClock.at(Instant.parse("2026-01-01T00:00:00Z")))) {
      TestEngine.Result first = e.call(TestRequest.of("GET", "/v1/status")
          .remoteAddress("2001:db8:0:7::1"), perIp);
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.exchange().clientIp()).as("the audit keeps the whole address")
          .isEqualTo("2001:db8:0:7::1");
      for (String sameNetwork : List.of("2001:db8:0:7:ffff:1:2:3", "2001:0db8:0000:0007::abcd")) {
        assertThat(e.call(TestRequest.of("GET", "/v1/status").remoteAddress(sameNetwork), perIp)
            .status()).as(sameNetwork).isEqualTo(429);
      }
      assertThat(e.call(TestRequest.of("GET", "/v1/status").remoteAddress("2001:db8:0:8::1"), perIp)
          .status()).as("another /64").isEqualTo(200);
      // an IPv4-mapped address is the IPv4 client it maps
      assertThat(e.call(TestRequest.of("GET", "/v1/status").remoteAddress("192.0.2.1"), perIp)
          .status()).isEqualTo(200);
      assertThat(e.call(TestRequest.of("GET", "/v1/status").remoteAddress("::ffff:192.0.2.1"), perIp)
          .status()).isEqualTo(429);
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
