package dev.piste.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.AuthenticationMethod;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TestClock;
import dev.piste.core.testing.TokenFactory;
import dev.piste.token.TokenFailure;
import dev.piste.token.TokenVerification;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodeValidator;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.UnresolvableKeyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class JwtTokenVerifierTest {

  final TestClock clock = TestClock.at(Instant.parse("2026-03-01T10:00:00Z"));
  final TokenFactory f = TokenFactory.using(clock);
  JwksServer jwks;
  JwtTokenVerifier verifier;

  @BeforeEach
  void start() {
    jwks = JwksServer.start().keys(f.rsa(), f.rsa2());
    verifier = JwtTokenVerifier.create(TokenFactory.config(clock, jwks.uri()).build());
  }

  @AfterEach
  void stop() {
    verifier.close();
    jwks.close();
  }

  @Test
  void buildsTheCallerFromTheClaims() throws Exception {
    var claims = f.claims();
    claims.setClaim("plan", "gold");
    claims.setSubject("user-42");

    TokenVerification v = verifier.verify(f.sign(claims, f.rsa(), "RS256"));

    assertThat(v.isVerified()).isTrue();
    assertThat(v.caller().applicationId()).isEqualTo(TokenFactory.CLIENT);
    assertThat(v.caller().subject()).isEqualTo("user-42");
    assertThat(v.caller().plan()).isEqualTo("gold");
    assertThat(v.caller().authenticationMethod()).isEqualTo(AuthenticationMethod.JWT);
    assertThat(v.caller().claims()).containsEntry("iss", TokenFactory.ISSUER);
    assertThat(v.expiresAt()).isEqualTo(Instant.ofEpochSecond(claims.getExpirationTime().getValue()));
  }

  @Test
  void aRepeatedTokenIsServedFromTheCacheByItsHash() {
    // the first verification, made before any key set was known, is not kept
    assertThat(verifier.verify(f.valid()).isVerified()).isTrue();
    assertThat(verifier.cachedTokens()).isZero();
    String token = f.valid();
    assertThat(verifier.verify(token).isVerified()).isTrue();
    assertThat(verifier.cachedTokens()).isEqualTo(1);
    jwks.status(500);

    assertThat(verifier.verify(token).isVerified()).isTrue();
    assertThat(verifier.cachedTokens()).isEqualTo(1);
    assertThat(jwks.requests()).isEqualTo(1);
  }

  @Test
  void aCachedTokenIsNotAcceptedAfterItsExpiry() throws Exception {
    var claims = f.claims();
    String token = f.sign(claims, f.rsa(), "RS256");
    assertThat(verifier.verify(token).isVerified()).isTrue();

    clock.advance(Duration.ofMinutes(15).plusSeconds(31));

    assertThat(verifier.verify(token).failure()).isEqualTo(TokenFailure.EXPIRED);
  }

  @Test
  void aCachedTokenIsRefusedOnceItsKeyLeftTheJwksAndTheCacheExpired() {
    String token = f.valid();
    assertThat(verifier.verify(token).isVerified()).isTrue();
    jwks.keys(f.rsa2());
    var claims = f.claims();
    claims.setExpirationTime(NumericDate.fromSeconds(clock.millis() / 1000 + 7200));
    String longLived = f.sign(claims, f.rsa(), "RS256");
    assertThat(verifier.verify(longLived).isVerified()).isTrue();

    clock.advance(Duration.ofHours(1).plusSeconds(1));
    verifier.verify(f.sign(f.claims(), f.rsa2(), "RS256"));
    Poll.until(() -> jwks.requests() == 2);
    Poll.until(() -> verifier.verify(longLived).failure() == TokenFailure.UNKNOWN_KEY);
  }

  /**
   * Past jwks-max-staleness (6 h) after the set's expiry (1 h), a new token is 503 for want of
   * keys: so is a token verified before the endpoint went down, which the cache kept.
   */
  @Test
  void aCachedTokenIsNoLongerAcceptedOnceItsKeySetIsPastTheStalenessBound() {
    var claims = f.claims();
    claims.setExpirationTime(NumericDate.fromSeconds(clock.millis() / 1000 + 8 * 3600));
    String token = f.sign(claims, f.rsa(), "RS256");
    assertThat(verifier.verify(token).isVerified()).isTrue();
    jwks.status(500);

    clock.advance(Duration.ofHours(7).minusSeconds(1));
    assertThat(verifier.verify(token).isVerified()).as("stale keys serve within the bound").isTrue();
    Poll.until(() -> jwks.requests() == 2);

    clock.advance(Duration.ofSeconds(1));
    assertThat(verifier.verify(f.valid()).failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
    assertThat(verifier.verify(token).failure()).as("not from the cache")
        .isEqualTo(TokenFailure.KEYS_UNAVAILABLE);

    jwks.status(200);
    clock.advance(Duration.ofSeconds(5));
    assertThat(verifier.verify(token).isVerified()).as("the endpoint is back").isTrue();
    int requests = jwks.requests();
    assertThat(verifier.verify(token).isVerified()).isTrue();
    assertThat(verifier.cachedTokens()).isEqualTo(1);
    assertThat(jwks.requests()).isEqualTo(requests);
  }

  /**
   * An HS256 token's validity depends on the secret alone: with a JWKS configured, it is served from
   * the cache before the key set is first fetched (HS256-only traffic never fetches it), through a
   * change of the set, and once the set is past the staleness bound (a cache hit is the very answer
   * the verification gave).
   */
  @Test
  void anHs256TokenIsServedFromTheCacheWhateverTheStateOfTheJwks() {
    try (JwtTokenVerifier v = JwtTokenVerifier.create(TokenFactory.config(clock, jwks.uri())
        .property("piste.token.hmac-secret", TokenFactory.HMAC_SECRET).build())) {
      var claims = f.claims();
      claims.setExpirationTime(NumericDate.fromSeconds(clock.millis() / 1000 + 8 * 3600));
      String token = f.hs256(claims);
      TokenVerification first = v.verify(token);
      assertThat(first.isVerified()).isTrue();
      assertThat(v.verify(token)).as("no key set fetched yet").isSameAs(first);
      assertThat(jwks.requests()).isZero();

      assertThat(v.verify(f.valid()).isVerified()).isTrue();
      assertThat(v.verify(token)).as("a key set fetched").isSameAs(first);

      jwks.status(500);
      clock.advance(Duration.ofHours(7));
      assertThat(v.verify(f.valid()).failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
      assertThat(v.verify(token)).as("the key set past its bound").isSameAs(first);
      String later = f.hs256(f.claims());
      TokenVerification laterFirst = v.verify(later);
      assertThat(laterFirst.isVerified()).isTrue();
      assertThat(v.verify(later)).isSameAs(laterFirst);
    }
  }

  @Test
  void anUnreachableJwksWithNoKeysGivesUnavailableNotRejected() {
    jwks.status(503);

    TokenVerification v = verifier.verify(f.valid());

    assertThat(v.status()).isEqualTo(TokenVerification.Status.UNAVAILABLE);
    assertThat(v.failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
  }

  @Test
  void rejectsAlgNoneEvenWithJose4jsAllowNoneSystemProperty() throws Exception {
    String previous = System.setProperty("org.jose4j.jws.default-allow-none", "true");
    try {
      var claims = f.claims();
      String none = TokenFactory.b64("{\"alg\":\"none\",\"typ\":\"at+jwt\"}") + "."
          + TokenFactory.b64(claims.toJson()) + ".";
      String noneWithSignature = none + "AAAA";

      assertThat(verifier.verify(none).isVerified()).isFalse();
      assertThat(verifier.verify(noneWithSignature).isVerified()).isFalse();
      // the jose4j layer alone refuses it too: explicit PERMIT constraints, not the default
      assertThatThrownBy(() -> verifier.consumer(f.rsa().getPublicKey(), new String[] {"RS256"},
          clock.millis()).processToClaims(none)).isInstanceOf(InvalidJwtException.class);
    } finally {
      if (previous == null) {
        System.clearProperty("org.jose4j.jws.default-allow-none");
      } else {
        System.setProperty("org.jose4j.jws.default-allow-none", previous);
      }
    }
  }

  @Test
  void anIoExceptionUnderAnUnresolvableKeyIsClassifiedAsAnOutage() {
    InvalidJwtException outage = new InvalidJwtException("jose4j text with the token",
        new ErrorCodeValidator.Error(ErrorCodes.MISCELLANEOUS, "x"),
        new UnresolvableKeyException("no key", new SocketTimeoutException("read timed out")), null);
    InvalidJwtException attack = new InvalidJwtException("jose4j text with the token",
        new ErrorCodeValidator.Error(ErrorCodes.MISCELLANEOUS, "x"),
        new UnresolvableKeyException("no key for kid"), null);

    assertThat(JwtTokenVerifier.classify(outage)).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
    assertThat(JwtTokenVerifier.classify(attack)).isEqualTo(TokenFailure.BAD_SIGNATURE);
  }

  @Test
  void aTokenOlderThanTheMaximumAgeIsRefused() {
    try (JwtTokenVerifier v = JwtTokenVerifier.create(TokenFactory.config(clock, jwks.uri())
        .property("piste.token.max-age", "10m").build())) {
      var claims = f.claims();
      claims.setIssuedAt(NumericDate.fromSeconds(clock.millis() / 1000 - 700));

      assertThat(v.verify(f.sign(claims, f.rsa(), "RS256")).failure())
          .isEqualTo(TokenFailure.TOO_OLD);
      assertThat(v.verify(f.valid()).isVerified()).isTrue();
    }
  }

  @Test
  void configuredRequiredClaimsMustBePresent() {
    try (JwtTokenVerifier v = JwtTokenVerifier.create(TokenFactory.config(clock, jwks.uri())
        .property("piste.token.required-claims", "jti, tenant").build())) {
      var claims = f.claims();
      claims.setClaim("tenant", "acme");

      assertThat(v.verify(f.valid()).failure()).isEqualTo(TokenFailure.MISSING_CLAIM);
      assertThat(v.verify(f.sign(claims, f.rsa(), "RS256")).isVerified()).isTrue();
    }
  }

  @Test
  void aStaticJwkSetFileServesOffline(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keys.json");
    Files.writeString(file, TokenFactory.jwks(f.rsa(), f.ec()));
    try (JwtTokenVerifier v = JwtTokenVerifier.create(TokenFactory.config(clock, null)
        .property("piste.token.jwk-file", file.toString()).build())) {

      assertThat(v.verify(f.valid()).isVerified()).isTrue();
      assertThat(v.verify(f.sign(f.claims(), f.ec(), "ES256")).isVerified()).isTrue();
      assertThat(v.verify(f.sign(f.claims(), f.rsa2(), "RS256")).failure())
          .isEqualTo(TokenFailure.UNKNOWN_KEY);
    }
  }

  @Test
  void aPemPublicKeyFileServesOffline(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("key.pem");
    Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder()
        .encodeToString(f.rsa().getPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
    try (JwtTokenVerifier v = JwtTokenVerifier.create(TokenFactory.config(clock, null)
        .property("piste.token.jwk-file", file.toString()).build())) {

      assertThat(v.verify(f.valid()).isVerified()).isTrue();
    }
  }

  @Test
  void aPrivateKeyPemFileIsRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("key.pem");
    Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder()
        .encodeToString(f.rsa().getPrivateKey().getEncoded()) + "\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(() -> JwtTokenVerifier.create(TokenFactory.config(clock, null)
        .property("piste.token.jwk-file", file.toString()).build()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageNotContaining(Base64.getMimeEncoder().encodeToString(
            f.rsa().getPrivateKey().getEncoded()).substring(0, 40));
  }

  @Test
  void hs256AloneWorksWithASecretAndNeverNamesIt() {
    try (JwtTokenVerifier v = JwtTokenVerifier.create(TokenFactory.config(clock, null)
        .property("piste.token.hmac-secret", TokenFactory.HMAC_SECRET).build())) {

      assertThat(v.verify(f.hs256(f.claims())).isVerified()).isTrue();
      assertThat(v.verify(f.valid()).failure()).isEqualTo(TokenFailure.UNKNOWN_KEY);
      assertThat(v.toString()).doesNotContain(TokenFactory.HMAC_SECRET);
    }
  }

  @Test
  void anExplicitAlgorithmListWithoutHs256RefusesHs256EvenWithASecret() {
    try (JwtTokenVerifier v = JwtTokenVerifier.create(TokenFactory.config(clock, null)
        .property("piste.token.hmac-secret", TokenFactory.HMAC_SECRET)
        .property("piste.token.algorithms", "RS256").build());
        JwtTokenVerifier listed = JwtTokenVerifier.create(TokenFactory.config(clock, null)
        .property("piste.token.hmac-secret", TokenFactory.HMAC_SECRET)
        .property("piste.token.algorithms", "RS256, HS256").build())) {

      assertThat(v.verify(f.hs256(f.claims())).failure())
          .isEqualTo(TokenFailure.ALGORITHM_NOT_ALLOWED);
      assertThat(listed.verify(f.hs256(f.claims())).isVerified()).isTrue();
    }
  }

  @Test
  void aTokenWithoutDotsIsNotRecognizedSoThatAChainMayTryIntrospection() {
    assertThat(verifier.verify("opaque-token-value").status())
        .isEqualTo(TokenVerification.Status.UNRECOGNIZED);
  }

  @Test
  void failureDescriptionsAreFixedTextsInTheRfc6750CharacterSet() {
    for (TokenFailure failure : TokenFailure.values()) {
      assertThat(failure.description()).matches("[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]+");
      assertThat(failure.code()).matches("[a-z_]+");
    }
    assertThat(new String(TokenFailure.MALFORMED.description().getBytes(StandardCharsets.US_ASCII),
        StandardCharsets.US_ASCII)).isEqualTo("The token is malformed.");
    assertThat(List.of(TokenFailure.values())).hasSizeGreaterThan(20);
  }
}
