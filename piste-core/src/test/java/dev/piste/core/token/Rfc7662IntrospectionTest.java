package dev.piste.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.AuthenticationMethod;
import dev.piste.core.PisteConfig;
import dev.piste.core.testing.IntrospectionServer;
import dev.piste.core.testing.Stderr;
import dev.piste.core.testing.TestClock;
import dev.piste.core.testing.TokenFactory;
import dev.piste.token.TokenFailure;
import dev.piste.token.TokenVerification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RFC 7662 token introspection against a real endpoint on loopback. */
final class Rfc7662IntrospectionTest {

  static final String SECRET = "s3cr3t-introspection-client-secret";
  static final String TOKEN = "2YotnFZFEjr1zCsicMWpAA";

  final TestClock clock = TestClock.at(Instant.parse("2026-03-01T10:00:00Z"));
  IntrospectionServer server;
  IntrospectionTokenVerifier verifier;

  @BeforeEach
  void start() {
    server = IntrospectionServer.start();
    verifier = IntrospectionTokenVerifier.create(config().build());
  }

  @AfterEach
  void stop() {
    verifier.close();
    server.close();
  }

  PisteConfig.Builder config() {
    return TokenFactory.config(clock, null)
        .property("piste.token.introspection-uri", server.uri().toString())
        .property("piste.token.introspection-client-id", "invoices-api")
        .property("piste.token.introspection-client-secret", SECRET)
        .property("piste.token.http-timeout", "500ms");
  }

  long now() {
    return clock.millis() / 1000;
  }

  String active(long exp) {
    return "{\"active\":true,\"client_id\":\"billing-app\",\"sub\":\"user-1\",\"scope\":"
        + "\"invoices:read\",\"iss\":\"" + TokenFactory.ISSUER + "\",\"aud\":\"invoices-api\","
        + "\"exp\":" + exp + ",\"plan\":\"gold\"}";
  }

  @Test
  void rfc7662Section2_2AnActiveTokenGivesItsCaller() {
    server.answer(TOKEN, active(now() + 600));

    TokenVerification v = verifier.verify(TOKEN);

    assertThat(v.isVerified()).isTrue();
    assertThat(v.caller().applicationId()).isEqualTo("billing-app");
    assertThat(v.caller().subject()).isEqualTo("user-1");
    assertThat(v.caller().scopes()).containsExactly("invoices:read");
    assertThat(v.caller().plan()).isEqualTo("gold");
    assertThat(v.caller().authenticationMethod()).isEqualTo(AuthenticationMethod.INTROSPECTION);
  }

  @Test
  void rfc7662Section2_1TheResourceServerAuthenticatesWithHttpBasic() {
    verifier.verify(TOKEN);

    assertThat(server.lastAuthorization()).isEqualTo("Basic " + Base64.getEncoder()
        .encodeToString(("invoices-api:" + SECRET).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void rfc7662Section2_2AnInactiveTokenIsRejected() {
    assertThat(verifier.verify(TOKEN).failure()).isEqualTo(TokenFailure.INACTIVE);
  }

  @Test
  void rfc7662Section2_2OnlyTheJsonBooleanTrueIsActive() {
    server.answer(TOKEN, "{\"active\":\"true\",\"client_id\":\"x\"}");
    assertThat(verifier.verify(TOKEN).failure()).isEqualTo(TokenFailure.INACTIVE);
  }

  @Test
  void anActiveRefreshTokenIsNoAccessToken() {
    server.answer(TOKEN, "{\"active\":true,\"token_type\":\"refresh_token\",\"client_id\":\"app\","
        + "\"scope\":\"invoices:read\"}");
    server.answer("t2", "{\"active\":true,\"token_type\":\"Bearer\",\"client_id\":\"app\"}");
    assertThat(verifier.verify(TOKEN).failure()).isEqualTo(TokenFailure.TYPE_NOT_ALLOWED);
    assertThat(verifier.verify("t2").caller().applicationId()).isEqualTo("app");
  }

  @Test
  void anActiveAnswerWhoseExpIsPastByTheClockSkewIsRejected() {
    server.answer(TOKEN, active(now() - 30));
    assertThat(verifier.verify(TOKEN).failure()).isEqualTo(TokenFailure.EXPIRED);
  }

  /** As jose4j checks a JWT's exp: piste.token.clock-skew (30 s by default) past it. */
  @Test
  void anActiveAnswerJustPastItsExpIsAcceptedWithinTheClockSkewButNotCached() {
    server.answer(TOKEN, active(now() - 29));

    assertThat(verifier.verify(TOKEN).isVerified()).isTrue();
    assertThat(verifier.verify(TOKEN).isVerified()).isTrue();
    assertThat(server.requests()).as("cached no longer than exp").isEqualTo(2);
  }

  @Test
  void anActiveAnswerFromAnotherIssuerOrForAnotherAudienceIsRejected() {
    server.answer(TOKEN, active(now() + 600).replace(TokenFactory.ISSUER, "https://evil.test"));
    server.answer("other", active(now() + 600).replace("\"aud\":\"invoices-api\"", "\"aud\":\"x\""));

    assertThat(verifier.verify(TOKEN).failure()).isEqualTo(TokenFailure.WRONG_ISSUER);
    assertThat(verifier.verify("other").failure()).isEqualTo(TokenFailure.WRONG_AUDIENCE);
  }

  @Test
  void anAnswerNotYetValidOrWithAnAudienceThatIsNoListIsRejected() {
    server.answer(TOKEN, "{\"active\":true,\"client_id\":\"a\",\"nbf\":" + (now() + 600) + "}");
    assertThat(verifier.verify(TOKEN).failure()).isEqualTo(TokenFailure.NOT_YET_VALID);

    server.answer("t2", "{\"active\":true,\"client_id\":\"a\",\"aud\":{\"x\":\"invoices-api\"}}");
    assertThat(verifier.verify("t2").failure()).isEqualTo(TokenFailure.WRONG_AUDIENCE);

    server.answer("t3", "{\"active\":true,\"client_id\":\"a\",\"nbf\":" + (now() + 10) + "}");
    assertThat(verifier.verify("t3").isVerified()).as("within the clock skew").isTrue();
  }

  @Test
  void theApplicationComesFromTheConfiguredClaims() {
    try (IntrospectionTokenVerifier azp = IntrospectionTokenVerifier.create(config()
        .property("piste.token.application-claims", "azp, client_id").build())) {
      server.answer(TOKEN, "{\"active\":true,\"client_id\":\"gateway\",\"azp\":\"billing\"}");
      assertThat(azp.verify(TOKEN).caller().applicationId()).isEqualTo("billing");
    }
  }

  /**
   * An active answer without an application id is refused as missing_claim, and the refusal is kept
   * for piste.token.introspection-negative-ttl (10 s) as an inactive answer is: a client sending
   * the token in a loop does not make a call to the authorization server each time.
   */
  @Test
  void anActiveAnswerWithoutAnApplicationIsRefusedAsMissingClaimForTheNegativeTtl() {
    server.answer(TOKEN, "{\"active\":true,\"sub\":\"user-1\",\"scope\":\"invoices:read\","
        + "\"exp\":" + (now() + 600) + "}");
    server.answer("empty", "{\"active\":true,\"client_id\":\"\",\"azp\":\"\"}");

    assertThat(verifier.verify(TOKEN).failure()).isEqualTo(TokenFailure.MISSING_CLAIM);
    assertThat(verifier.verify("empty").failure()).isEqualTo(TokenFailure.MISSING_CLAIM);
    clock.advance(Duration.ofSeconds(9));
    TokenVerification again = verifier.verify(TOKEN);
    assertThat(again.status()).isEqualTo(TokenVerification.Status.REJECTED);
    assertThat(again.failure()).isEqualTo(TokenFailure.MISSING_CLAIM);
    assertThat(verifier.verify("empty").failure()).isEqualTo(TokenFailure.MISSING_CLAIM);
    assertThat(server.requests()).as("the refusals are cached").isEqualTo(2);

    server.answer(TOKEN, active(now() + 600));
    clock.advance(Duration.ofSeconds(2));
    assertThat(verifier.verify(TOKEN).caller().applicationId()).isEqualTo("billing-app");
    assertThat(server.requests()).isEqualTo(3);
  }

  @Test
  void activeAnswersAreCachedUntilExpWhenItComesBeforeTheTtl() {
    server.answer(TOKEN, active(now() + 60));

    assertThat(verifier.verify(TOKEN).isVerified()).isTrue();
    clock.advance(Duration.ofSeconds(59));
    assertThat(verifier.verify(TOKEN).isVerified()).isTrue();
    assertThat(server.requests()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(2));
    assertThat(verifier.verify(TOKEN).isVerified()).as("within the clock skew").isTrue();
    assertThat(server.requests()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(29));
    assertThat(verifier.verify(TOKEN).failure()).isEqualTo(TokenFailure.EXPIRED);
    assertThat(server.requests()).isEqualTo(3);
  }

  @Test
  void activeAnswersAreCachedNoLongerThanTheTtl() {
    server.answer(TOKEN, active(now() + 3600));

    verifier.verify(TOKEN);
    clock.advance(Duration.ofMinutes(4));
    verifier.verify(TOKEN);
    assertThat(server.requests()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    assertThat(verifier.verify(TOKEN).isVerified()).isTrue();
    assertThat(server.requests()).isEqualTo(2);
  }

  @Test
  void inactiveAnswersAreCachedBriefly() {
    verifier.verify(TOKEN);
    clock.advance(Duration.ofSeconds(9));
    verifier.verify(TOKEN);
    assertThat(server.requests()).isEqualTo(1);

    server.answer(TOKEN, active(now() + 600));
    clock.advance(Duration.ofSeconds(2));
    assertThat(verifier.verify(TOKEN).isVerified()).isTrue();
    assertThat(server.requests()).isEqualTo(2);
  }

  @Test
  void aTimeoutIsUnavailableNotRejected() {
    server.slow(Duration.ofSeconds(3));

    TokenVerification v = verifier.verify(TOKEN);

    assertThat(v.status()).isEqualTo(TokenVerification.Status.UNAVAILABLE);
    assertThat(v.failure()).isEqualTo(TokenFailure.INTROSPECTION_UNAVAILABLE);
  }

  @Test
  void anErrorStatusOrABodyThatIsNotAnRfc7662ObjectIsUnavailable() {
    server.status(500);
    assertThat(verifier.verify(TOKEN).status()).isEqualTo(TokenVerification.Status.UNAVAILABLE);
    server.status(401);
    assertThat(verifier.verify(TOKEN).status()).isEqualTo(TokenVerification.Status.UNAVAILABLE);
    server.status(200).body("<html>login</html>");
    assertThat(verifier.verify(TOKEN).status()).isEqualTo(TokenVerification.Status.UNAVAILABLE);
    server.body("{\"client_id\":\"x\"}");
    assertThat(verifier.verify(TOKEN).status()).isEqualTo(TokenVerification.Status.UNAVAILABLE);
  }

  @Test
  void theClientSecretAndTheTokenAreNeverLogged() {
    String log = Stderr.during(() -> {
      server.status(500);
      verifier.verify(TOKEN);
      server.status(200).slow(Duration.ofSeconds(2));
      verifier.verify(TOKEN + "x");
    });
    assertThat(log).contains("introspection");
    assertThat(log).doesNotContain(SECRET).doesNotContain(TOKEN)
        .doesNotContain(Base64.getEncoder().encodeToString(("invoices-api:" + SECRET)
            .getBytes(StandardCharsets.UTF_8)));
    assertThat(verifier.toString()).doesNotContain(SECRET);
    assertThat(config().build().toString()).doesNotContain(SECRET);
  }

  @Test
  void aTokenOutsideTheB64tokenSyntaxIsRejectedWithoutACall() {
    for (String token : new String[] {"abc def", "abc:def", "abc\u00e9", "=abc"}) {
      assertThat(verifier.verify(token).failure()).as(token).isEqualTo(TokenFailure.MALFORMED);
    }
    assertThat(server.requests()).isZero();
  }
}
