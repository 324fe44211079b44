package dev.piste.core.internal.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TestClock;
import dev.piste.core.testing.TokenFactory;
import dev.piste.token.TokenFailure;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jose4j.jwk.JsonWebKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SECURITY-BASELINE 6: the JWKS key source against a real endpoint on loopback. */
final class JwksKeySourceTest {

  final TestClock clock = TestClock.at(Instant.parse("2026-03-01T10:00:00Z"));
  final TokenFactory f = TokenFactory.using(clock);
  JwksServer server;
  JwksKeySource source;

  @BeforeEach
  void start() {
    server = JwksServer.start().keys(f.rsa());
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    server.close();
  }

  JwksKeySource source(URI uri, Duration timeout, long maxBytes) {
    source = new JwksKeySource(uri, clock, timeout, maxBytes, Duration.ofMinutes(5),
        Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofHours(6));
    return source;
  }

  JwksKeySource source() {
    return source(server.uri(), Duration.ofSeconds(2), 256 * 1024);
  }

  @Test
  void aFloodOfUnknownKidsCausesAtMostOneFetchPerInterval() throws Exception {
    JwksKeySource s = source();
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    assertThat(server.requests()).isEqualTo(1);

    assertThat(flood(s, 400)).containsOnly(TokenFailure.UNKNOWN_KEY);
    assertThat(server.requests()).as("within the interval of the first fetch").isEqualTo(1);

    clock.advance(Duration.ofSeconds(30));
    // those arriving while the refresh runs cannot be told unknown yet (503)
    assertThat(flood(s, 400)).isSubsetOf(TokenFailure.UNKNOWN_KEY, TokenFailure.KEYS_UNAVAILABLE);
    assertThat(server.requests()).as("one refresh for the next interval").isEqualTo(2);

    clock.advance(Duration.ofSeconds(29));
    assertThat(flood(s, 400)).containsOnly(TokenFailure.UNKNOWN_KEY);
    assertThat(server.requests()).isEqualTo(2);
  }

  /** The failures of as many lookups of random kids, from 8 threads; none may find a key. */
  private static Set<TokenFailure> flood(JwksKeySource s, int tokens) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<KeySource.Lookup>> results = new ArrayList<>();
      for (int i = 0; i < tokens; i++) {
        results.add(pool.submit(() -> s.lookup(UUID.randomUUID().toString(), "RS256")));
      }
      Set<TokenFailure> failures = EnumSet.noneOf(TokenFailure.class);
      for (Future<KeySource.Lookup> r : results) {
        assertThat(r.get().key()).isNull();
        failures.add(r.get().failure());
      }
      return failures;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRotatedKeyIsPickedUpOnceTheIntervalHasPassed() {
    JwksKeySource s = source();
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    server.keys(f.rsa(), f.rsa2());

    assertThat(s.lookup("rsa-2", "RS256").failure()).isEqualTo(TokenFailure.UNKNOWN_KEY);
    clock.advance(Duration.ofSeconds(30));
    assertThat(s.lookup("rsa-2", "RS256").key()).isEqualTo(f.rsa2().getPublicKey());
    assertThat(server.requests()).isEqualTo(2);
  }

  @Test
  void cachedKeysKeepServingWhileTheEndpointIsDownWithinTheStalenessBound() {
    JwksKeySource s = source();
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    server.status(500);

    clock.advance(Duration.ofHours(1).plusSeconds(1));
    assertThat(s.lookup("rsa-1", "RS256").key()).as("stale keys serve").isNotNull();
    Poll.until(() -> server.requests() == 2);
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();

    clock.advance(Duration.ofHours(6));
    assertThat(s.lookup("rsa-1", "RS256").failure()).as("beyond the bound: 503")
        .isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
  }

  @Test
  void aRefreshThatBringsTheSameKeysKeepsTheGenerationSoVerifiedTokensStayCached() {
    JwksKeySource s = source();
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    long generation = s.generation();

    // an unknown kid forces a refresh, which returns the very same set
    clock.advance(Duration.ofSeconds(30));
    assertThat(s.lookup("no-such-kid", "RS256").failure()).isEqualTo(TokenFailure.UNKNOWN_KEY);
    assertThat(server.requests()).isEqualTo(2);
    assertThat(s.generation()).isEqualTo(generation);

    server.keys(f.rsa(), f.rsa2());
    clock.advance(Duration.ofSeconds(30));
    assertThat(s.lookup("rsa-2", "RS256").key()).isNotNull();
    assertThat(s.generation()).as("the set changed").isNotEqualTo(generation);
  }

  @Test
  void aRotatedKeyWhileTheEndpointIsDownIsUnavailableNotInvalid() {
    JwksKeySource s = source();
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    server.status(500);
    clock.advance(Duration.ofSeconds(30));

    assertThat(s.lookup("rsa-2", "RS256").failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
    assertThat(s.lookup("rsa-1", "RS256").key()).as("the known key still serves").isNotNull();
  }

  @Test
  void anUnknownKidWhileARefreshIsUnderWayIsUnavailableNotInvalid() throws Exception {
    JwksKeySource s = source();
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    server.keys(f.rsa(), f.rsa2()).hold();
    clock.advance(Duration.ofSeconds(30));

    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<KeySource.Lookup> claimer = pool.submit(() -> s.lookup("rsa-2", "RS256"));
      Poll.until(() -> server.requests() == 2);

      assertThat(s.lookup("rsa-2", "RS256").failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
      assertThat(s.lookup("rsa-3", "RS256").failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
      assertThat(s.lookup("rsa-1", "RS256").key()).as("a known key serves meanwhile").isNotNull();
      server.release();
      assertThat(claimer.get().key()).as("the request that claimed the refresh waited for it")
          .isEqualTo(f.rsa2().getPublicKey());
    } finally {
      pool.shutdownNow();
    }
    assertThat(s.lookup("rsa-2", "RS256").key()).isEqualTo(f.rsa2().getPublicKey());
    assertThat(s.lookup("rsa-3", "RS256").failure()).as("missing from keys fetched successfully")
        .isEqualTo(TokenFailure.UNKNOWN_KEY);
    assertThat(server.requests()).isEqualTo(2);
  }

  @Test
  void anUnknownKidAfterAFailedRefreshIsUnavailableUntilTheNextRefresh() {
    JwksKeySource s = source();
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    server.status(500);
    clock.advance(Duration.ofSeconds(30));
    assertThat(s.lookup("rsa-2", "RS256").failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);

    server.keys(f.rsa(), f.rsa2());
    clock.advance(Duration.ofSeconds(29));
    assertThat(s.lookup("rsa-2", "RS256").failure()).as("within the interval of the failed refresh")
        .isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
    assertThat(s.lookup("rsa-3", "RS256").failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
    assertThat(server.requests()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(1));
    assertThat(s.lookup("rsa-2", "RS256").key()).isEqualTo(f.rsa2().getPublicKey());
    assertThat(s.lookup("rsa-3", "RS256").failure()).isEqualTo(TokenFailure.UNKNOWN_KEY);
    assertThat(server.requests()).isEqualTo(3);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"keys\":[]}",
      "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\"}]}"})
  void aSetWithoutAUsableKeyIsAFailedRefreshNotARotationToNothing(String set) {
    JwksKeySource s = source();
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    long generation = s.generation();
    server.body(set);

    clock.advance(Duration.ofHours(1).plusSeconds(1));
    s.lookup("rsa-1", "RS256");
    Poll.until(() -> server.answered() == 2);
    assertThat(s.lookup("rsa-1", "RS256").key()).as("the previous keys keep serving").isNotNull();
    assertThat(s.generation()).as("the verified-token cache is kept").isEqualTo(generation);
    assertThat(s.lookup("rsa-2", "RS256").failure()).as("the refresh failed: 503, not 401")
        .isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
  }

  @Test
  void aKeyRemovedFromTheJwksIsRefusedOnceItExpiredFromTheCache() {
    server.keys(f.rsa(), f.rsa2());
    JwksKeySource s = source();
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    long generation = s.generation();
    server.keys(f.rsa2());

    clock.advance(Duration.ofHours(1).plusSeconds(1));
    s.lookup("rsa-2", "RS256");
    Poll.until(() -> s.generation() != generation);

    assertThat(s.lookup("rsa-1", "RS256").failure()).isEqualTo(TokenFailure.UNKNOWN_KEY);
    assertThat(s.lookup("rsa-2", "RS256").key()).isNotNull();
  }

  @Test
  void aRequestDoesNotWaitForARefreshOnceKeysAreKnown() {
    JwksKeySource s = source(server.uri(), Duration.ofSeconds(3), 256 * 1024);
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    server.slow(Duration.ofSeconds(2));
    clock.advance(Duration.ofHours(1).plusSeconds(1));

    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    Poll.until(() -> server.requests() == 2);
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    assertThat(server.answered()).as("the slow refresh is still being answered").isEqualTo(1);
  }

  @Test
  void noKeysAndAnUnreachableEndpointIsUnavailableNotInvalid() {
    JwksServer gone = JwksServer.start();
    URI uri = gone.uri();
    gone.close();

    assertThat(source(uri, Duration.ofSeconds(1), 1024).lookup("rsa-1", "RS256").failure())
        .isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
  }

  @Test
  void aSlowEndpointTimesOutAsUnavailable() {
    server.slow(Duration.ofSeconds(3));

    assertThat(source(server.uri(), Duration.ofMillis(300), 256 * 1024).lookup("rsa-1", "RS256")
        .failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
  }

  @Test
  void aServerErrorIsNotRetriedAndIsUnavailable() {
    server.status(503);

    assertThat(source().lookup("rsa-1", "RS256").failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
    assertThat(server.requests()).isEqualTo(1);
  }

  @Test
  void redirectsAreNotFollowed() {
    try (JwksServer other = JwksServer.start().keys(f.rsa())) {
      server.redirectTo(other.uri());

      assertThat(source().lookup("rsa-1", "RS256").failure())
          .isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
      assertThat(other.requests()).isZero();
    }
  }

  @Test
  void aResponseOverTheSizeCapIsRefused() {
    server.keys(f.rsa(), f.rsa2(), f.ec());

    assertThat(source(server.uri(), Duration.ofSeconds(2), 512).lookup("rsa-1", "RS256")
        .failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
  }

  @Test
  void aChunkedResponseOverTheSizeCapIsRefusedWhileReading() {
    server.keys(f.rsa(), f.rsa2(), f.ec()).chunked(true);

    assertThat(source(server.uri(), Duration.ofSeconds(2), 512).lookup("rsa-1", "RS256")
        .failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
  }

  @Test
  void aChunkedResponseUnderTheSizeCapIsRead() {
    server.chunked(true);

    assertThat(source().lookup("rsa-1", "RS256").key()).isEqualTo(f.rsa().getPublicKey());
  }

  @Test
  void aSetWithDuplicateKidsIsRefusedWhole() {
    String one = TokenFactory.jwks(f.rsa());
    String dup = f.rsa2().toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)
        .replace("\"rsa-2\"", "\"rsa-1\"");
    server.body(one.substring(0, one.length() - 2) + "," + dup + "]}");

    assertThat(source().lookup("rsa-1", "RS256").failure()).isEqualTo(TokenFailure.KEYS_UNAVAILABLE);
  }

  @Test
  void aBadRefreshKeepsThePreviousKeys() {
    JwksKeySource s = source();
    assertThat(s.lookup("rsa-1", "RS256").key()).isNotNull();
    server.body("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"a\",\"n\":\"AQAB\",\"e\":\"AQAB\"},");
    clock.advance(Duration.ofHours(1).plusSeconds(1));
    s.lookup("rsa-1", "RS256");
    Poll.until(() -> server.requests() == 2);

    assertThat(s.lookup("rsa-1", "RS256").key()).isEqualTo(f.rsa().getPublicKey());
  }

  @Test
  void symmetricAndPrivateKeysAreDroppedFromAFetchedSet() {
    String priv = f.rsa().toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE);
    String oct = "{\"kty\":\"oct\",\"kid\":\"oct-1\",\"k\":\"" + TokenFactory.b64("x".repeat(32))
        + "\"}";
    String pub = f.rsa2().toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    server.body("{\"keys\":[" + priv + "," + oct + "," + pub + "]}");
    JwksKeySource s = source();

    assertThat(s.lookup("rsa-1", "RS256").failure()).isEqualTo(TokenFailure.UNKNOWN_KEY);
    assertThat(s.lookup("oct-1", "HS256").failure()).isEqualTo(TokenFailure.UNKNOWN_KEY);
    assertThat(s.lookup("rsa-2", "RS256").key()).isEqualTo(f.rsa2().getPublicKey());
  }

  @Test
  void aShortMaxAgeIsClampedToTheMinimumCacheLife() {
    server.cacheControl("public, max-age=1");
    JwksKeySource s = source();
    s.lookup("rsa-1", "RS256");

    clock.advance(Duration.ofMinutes(4));
    s.lookup("rsa-1", "RS256");
    assertThat(server.requests()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    s.lookup("rsa-1", "RS256");
    Poll.until(() -> server.requests() == 2);
  }

  @Test
  void aLongMaxAgeIsClampedToTheMaximumCacheLife() {
    server.cacheControl("max-age=31536000");
    JwksKeySource s = source();
    s.lookup("rsa-1", "RS256");

    clock.advance(Duration.ofMinutes(59));
    s.lookup("rsa-1", "RS256");
    assertThat(server.requests()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    s.lookup("rsa-1", "RS256");
    Poll.until(() -> server.requests() == 2);
  }

  @Test
  void plainHttpIsRefusedExceptForLoopback() {
    assertThatThrownBy(() -> source(URI.create("http://idp.example.com/jwks"), Duration.ofSeconds(1),
        1024)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> source(URI.create("ftp://127.0.0.1/jwks"), Duration.ofSeconds(1),
        1024)).isInstanceOf(IllegalArgumentException.class);
    assertThat(HttpFetcher.allowed(URI.create("https://idp.example.com/jwks"))).isTrue();
    assertThat(HttpFetcher.allowed(URI.create("http://localhost:8080/jwks"))).isTrue();
    assertThat(HttpFetcher.allowed(URI.create("http://[::1]:8080/jwks"))).isTrue();
    assertThat(HttpFetcher.allowed(URI.create("http://10.0.0.1/jwks"))).isFalse();
  }
}
