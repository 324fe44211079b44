package dev.piste.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.PisteConfigurationException;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.testing.ConfigProblems;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-up checks of the piste.token.* keys. */
final class TokenConfigValidationTest {

  @Test
  void aJwksUriMustBeHttpsUnlessLoopback() {
    assertThat(ConfigProblems.of(Map.of("piste.token.jwks-uri", "http://idp.example.com/jwks",
        "piste.token.issuer", "i", "piste.token.audience", "a")).problems())
        .anyMatch(p -> p.key().equals("piste.token.jwks-uri"));
    PisteConfig.of(Map.of("piste.token.jwks-uri", "http://127.0.0.1:8080/jwks",
        "piste.token.issuer", "i", "piste.token.audience", "a"));
  }

  @Test
  void onlyALoopbackLiteralMayBePlainHttpNotANameThatStartsLikeOne() {
    for (String uri : new String[] {"http://127.0.0.1.nip.io/jwks", "http://127.example/jwks",
        "http://[::2]/jwks"}) {
      assertThat(ConfigProblems.of(Map.of("piste.token.jwks-uri", uri,
          "piste.token.issuer", "i", "piste.token.audience", "a")).problems())
          .as(uri).anyMatch(p -> p.key().equals("piste.token.jwks-uri"));
    }
    for (String uri : new String[] {"http://127.0.0.1:8080/jwks", "http://127.3.2.1/jwks",
        "http://[::1]:8080/jwks", "http://localhost/jwks"}) {
      PisteConfig.of(Map.of("piste.token.jwks-uri", uri,
          "piste.token.issuer", "i", "piste.token.audience", "a"));
    }
    assertThat(dev.piste.core.internal.token.HttpFetcher.allowed(
        java.net.URI.create("http://127.0.0.1.nip.io/jwks"))).isFalse();
    assertThat(dev.piste.core.internal.token.HttpFetcher.allowed(
        java.net.URI.create("http://127.0.0.1:9/jwks"))).isTrue();
  }

  @Test
  void anIntrospectionUriMustBeHttpsUnlessLoopback() {
    assertThat(ConfigProblems.of(Map.of("piste.token.introspection-uri", "http://idp.example.com/i"))
        .problems()).anyMatch(p -> p.key().equals("piste.token.introspection-uri"));
  }

  @Test
  void aJwtKeySourceNeedsAnIssuerAndAnAudience() {
    PisteConfigurationException e = ConfigProblems.of(Map.of("piste.token.jwks-uri", "https://idp/jwks"));

    assertThat(e.problems()).anyMatch(p -> p.key().equals("piste.token.issuer"))
        .anyMatch(p -> p.key().equals("piste.token.audience"));
    PisteConfig.of(Map.of("piste.token.jwks-uri", "https://idp/jwks", "piste.token.issuer", "i",
        "piste.token.audience-required", "false"));
  }

  @Test
  void hs256NeedsTheSecretAndTheSecretNeeds256Bits() {
    assertThat(ConfigProblems.of(Map.of("piste.token.algorithms", "RS256, HS256")).problems())
        .anyMatch(p -> p.key().equals("piste.token.algorithms"));
    PisteConfigurationException shortSecret = ConfigProblems.of(Map.of("piste.token.hmac-secret", "short",
        "piste.token.issuer", "i", "piste.token.audience", "a"));
    assertThat(shortSecret.problems()).anyMatch(p -> p.key().equals("piste.token.hmac-secret"));
    assertThat(shortSecret.getMessage()).doesNotContain("short");
  }

  @Test
  void anUnreadableKeyFileFailsTheEngineNamingTheKey() {
    PisteConfig config = PisteConfig.of(Map.of("piste.token.api-key-file", "/nonexistent/keys",
        "piste.token.jwk-file", "/nonexistent/jwks.json", "piste.token.issuer", "i",
        "piste.token.audience", "a"));

    assertThatThrownBy(() -> Piste.create(config).close())
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("piste.token.api-key-file")
        .hasMessageContaining("piste.token.jwk-file");
  }
}
