package dev.piste.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.testing.HostileTokens;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.TestClock;
import dev.piste.core.testing.TokenFactory;
import dev.piste.token.TokenFailure;
import dev.piste.token.TokenVerification;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hostile token of issue 3 and of the security baseline, each named after its source, against
 * a real JWKS endpoint on loopback; and every valid token, accepted.
 */
final class HostileTokenTest {

  static final TestClock CLOCK = HostileTokens.CLOCK;
  static final TokenFactory F = HostileTokens.F;
  static JwksServer jwks;
  static JwtTokenVerifier verifier;
  static JwtTokenVerifier hmacVerifier;

  @BeforeAll
  static void start() {
    jwks = JwksServer.start();
    jwks.body(HostileTokens.jwks());
    verifier = JwtTokenVerifier.create(TokenFactory.config(CLOCK, jwks.uri()).build());
    hmacVerifier = JwtTokenVerifier.create(TokenFactory.config(CLOCK, jwks.uri())
        .property("piste.token.hmac-secret", TokenFactory.HMAC_SECRET).build());
  }

  @AfterAll
  static void stop() {
    verifier.close();
    hmacVerifier.close();
    jwks.close();
  }

  static Stream<Arguments> hostile() {
    return HostileTokens.hostile();
  }

  static Stream<Arguments> valid() {
    return HostileTokens.valid();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void rejectsHostileToken(String source, Function<TokenFactory, String> token,
      TokenFailure expected) {
    TokenVerification v = verifier.verify(token.apply(F));

    assertThat(v.isVerified()).as(source).isFalse();
    assertThat(v.status()).isEqualTo(TokenVerification.Status.REJECTED);
    assertThat(v.failure()).as(source).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void rejectsHostileTokenAlsoWhenHs256IsConfigured(String source,
      Function<TokenFactory, String> token, TokenFailure expected) {
    TokenVerification v = hmacVerifier.verify(token.apply(F));

    assertThat(v.isVerified()).as(source).isFalse();
    assertThat(v.status()).isEqualTo(TokenVerification.Status.REJECTED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void acceptsValidToken(String source, Function<TokenFactory, String> token) {
    TokenVerification v = verifier.verify(token.apply(F));

    assertThat(v.failure()).as(source).isNull();
    assertThat(v.isVerified()).isTrue();
    assertThat(v.caller().applicationId()).isEqualTo(TokenFactory.CLIENT);
    assertThat(v.caller().scopes()).containsExactlyInAnyOrder("invoices:read", "invoices:write");
  }

  @org.junit.jupiter.api.Test
  void acceptsHs256OnlyWithTheConfiguredSecret() {
    assertThat(hmacVerifier.verify(F.hs256(F.claims())).isVerified()).isTrue();
    assertThat(verifier.verify(F.hs256(F.claims())).failure())
        .isEqualTo(TokenFailure.ALGORITHM_NOT_ALLOWED);
  }

}
