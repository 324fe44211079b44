package dev.piste.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.internal.config.ValueType;
import dev.piste.core.testing.TestRequest;
import org.junit.jupiter.api.Test;

final class ClientIpsTest {

  private final ClientIps behindProxies =
      new ClientIps(ValueType.CIDRS.parse("10.0.0.0/8, 2001:db8:ffff::/48"));
  /** Proxies that set {@code Forwarded} (piste.ratelimit.client-ip-header=forwarded). */
  private final ClientIps behindRfc7239Proxies =
      new ClientIps(ValueType.CIDRS.parse("10.0.0.0/8, 2001:db8:ffff::/48"), true);

  private static TestRequest from(String peer) {
    return TestRequest.of("GET", "/").remoteAddress(peer);
  }

  @Test
  void ignoresSpoofedXForwardedForFromAnUntrustedPeer() {
    assertThat(behindProxies.resolve(from("203.0.113.9").header("X-Forwarded-For", "1.2.3.4")))
        .isEqualTo("203.0.113.9");
  }

  @Test
  void ignoresSpoofedForwardedFromAnUntrustedPeer() {
    assertThat(behindRfc7239Proxies.resolve(from("203.0.113.9").header("Forwarded", "for=1.2.3.4")))
        .isEqualTo("203.0.113.9");
  }

  @Test
  void ignoresEveryHeaderWhenNoProxyIsTrusted() {
    assertThat(ClientIps.none().resolve(from("10.0.0.1").header("X-Forwarded-For", "1.2.3.4")))
        .isEqualTo("10.0.0.1");
  }

  @Test
  void believesXForwardedForFromATrustedPeer() {
    assertThat(behindProxies.resolve(from("10.1.2.3").header("X-Forwarded-For", "198.51.100.4")))
        .isEqualTo("198.51.100.4");
  }

  @Test
  void walksRightToLeftPastTrustedProxiesSoAClientCannotPrependAnAddress() {
    TestRequest r = from("10.0.0.2")
        .header("X-Forwarded-For", "6.6.6.6, 198.51.100.4")
        .header("X-Forwarded-For", "10.0.0.7");
    assertThat(behindProxies.resolve(r)).isEqualTo("198.51.100.4");
  }

  @Test
  void aLongForwardedChainKeepsTheHopTheTrustedProxyAppended() {
    StringBuilder spoofed = new StringBuilder();
    for (int i = 1; i <= 40; i++) {
      spoofed.append(i > 1 ? ", " : "").append("for=198.51.100.").append(i);
    }
    TestRequest sameLine = from("10.0.0.1").header("Forwarded", spoofed + ", for=203.0.113.9");
    TestRequest ownLine = from("10.0.0.1").header("Forwarded", spoofed.toString())
        .header("Forwarded", "for=203.0.113.9");

    assertThat(behindRfc7239Proxies.resolve(sameLine)).isEqualTo("203.0.113.9");
    assertThat(behindRfc7239Proxies.resolve(ownLine)).isEqualTo("203.0.113.9");
  }

  @Test
  void aHopThatOnlyLooksLikeAnAddressIsNoLiteralAndIsNotLookedUp() {
    // hex letters and dots: the JDK's InetAddress.getByName would send it to the DNS
    assertThat(dev.piste.core.internal.config.Cidr.literal("a.b.c.de")).isNull();
    assertThat(dev.piste.core.internal.config.Cidr.literal("1.2.3.256")).isNull();
    assertThat(dev.piste.core.internal.config.Cidr.literal("1.2.3")).isNull();
    assertThat(dev.piste.core.internal.config.Cidr.literal("192.0.2.1")).containsExactly(192, 0, 2, 1);
    TestRequest r = from("10.0.0.2").header("X-Forwarded-For", "198.51.100.4, a.b.c.de");
    assertThat(behindProxies.resolve(r)).isEqualTo("10.0.0.2");
  }

  @Test
  void rfc7239ForwardedWithQuotedIpv6AndPortIsUnderstood() {
    TestRequest r = from("10.0.0.2")
        .header("Forwarded", "for=192.0.2.43, for=\"[2001:db8:cafe::17]:4711\";proto=https");
    assertThat(behindRfc7239Proxies.resolve(r)).isEqualTo("2001:db8:cafe:0:0:0:0:17");
  }

  @Test
  void onlyTheHeaderTheProxiesSetIsReadSoAClientCannotSendTheOther() {
    // a proxy that appends X-Forwarded-For passes the client's own Forwarded header through
    TestRequest r = from("10.0.0.2").header("Forwarded", "for=192.0.2.60")
        .header("X-Forwarded-For", "192.0.2.61");
    assertThat(behindProxies.resolve(r)).isEqualTo("192.0.2.61");
    assertThat(behindRfc7239Proxies.resolve(r)).isEqualTo("192.0.2.60");
    assertThat(behindRfc7239Proxies.resolve(from("10.0.0.2").header("X-Forwarded-For", "192.0.2.61")))
        .isEqualTo("10.0.0.2");
  }

  @Test
  void anObfuscatedHopStopsTheWalkAtTheLastKnownAddress() {
    TestRequest r = from("10.0.0.2").header("Forwarded", "for=unknown, for=10.0.0.9");
    assertThat(behindRfc7239Proxies.resolve(r)).isEqualTo("10.0.0.9");
  }

  @Test
  void whenEveryHopIsTrustedTheLeftmostIsTheClient() {
    TestRequest r = from("10.0.0.2").header("X-Forwarded-For", "10.9.9.9, 10.0.0.3");
    assertThat(behindProxies.resolve(r)).isEqualTo("10.9.9.9");
  }

  @Test
  void aTrustedPeerWithoutHeadersIsItselfTheClient() {
    assertThat(behindProxies.resolve(from("10.0.0.2"))).isEqualTo("10.0.0.2");
  }

  @Test
  void portOfAnIpv4HopIsStripped() {
    assertThat(behindProxies.resolve(from("10.0.0.2").header("X-Forwarded-For", "198.51.100.4:5555")))
        .isEqualTo("198.51.100.4");
  }
}
