package dev.piste.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.PisteConfigurationException;
import dev.piste.core.PisteConfig;
import dev.piste.core.testing.ConfigProblems;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The catalog keys: defaults, and the checks that span several of them. */
final class CatalogKeysValidationTest {

  @Test
  void defaultsToAThirtySecondTtlTheOpenApiPathAndNoRegistration() {
    PisteConfig config = PisteConfig.of(Map.of());
    assertThat(config.get(CatalogKeys.TTL)).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.get(CatalogKeys.OPENAPI_PATH)).isEqualTo("/openapi.json");
    assertThat(config.get(CatalogKeys.REQUIRED)).isFalse();
    assertThat(config.get(CatalogKeys.URL)).isNull();
  }

  @Test
  void aCatalogUrlNeedsTheInstanceUrl() {
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.catalog.url", "http://catalog:8090")))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("piste.catalog.instance-url");
  }

  @Test
  void aTokenUriNeedsTheClientIdAndSecretAndTheyNeedIt() {
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.catalog.token-uri", "https://auth/token")))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("piste.catalog.client-id").hasMessageContaining("piste.catalog.client-secret");
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.catalog.client-secret", "hush-hush-value")))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("piste.catalog.token-uri")
        .hasMessageNotContaining("hush-hush-value");
  }

  private static Map<String, String> withToken(String catalogUrl, String tokenUri) {
    return Map.of("piste.catalog.url", catalogUrl, "piste.catalog.instance-url",
        "http://10.0.0.1:8080/", "piste.catalog.token-uri", tokenUri,
        "piste.catalog.client-id", "orders", "piste.catalog.client-secret", "hush-hush-value");
  }

  @Test
  void aTokenUriMustBeHttpsUnlessLoopbackForItReceivesTheClientSecret() {
    for (String uri : new String[] {"http://auth.example.com/token", "http://127.0.0.1.nip.io/token",
        "http://10.0.0.2/token"}) {
      PisteConfigurationException e = ConfigProblems.of(withToken("https://catalog.example.com", uri));
      assertThat(e.problems()).as(uri).anySatisfy(p -> {
        assertThat(p.key()).isEqualTo("piste.catalog.token-uri");
        assertThat(p.value()).isEqualTo(uri);
        assertThat(p.expected()).startsWith("an https:// URI").contains("localhost");
      });
      assertThat(e.getMessage()).doesNotContain("hush-hush-value");
    }
    for (String uri : new String[] {"https://auth.example.com/token", "http://127.0.0.1:9000/token",
        "http://localhost/token", "http://[::1]:9000/token"}) {
      PisteConfig.of(withToken("https://catalog.example.com", uri));
    }
  }

  @Test
  void aCatalogUrlThatReceivesABearerTokenMustBeHttpsUnlessLoopback() {
    assertThat(ConfigProblems.of(withToken("http://catalog.example.com:8090",
        "https://auth.example.com/token")).problems())
        .anySatisfy(p -> {
          assertThat(p.key()).isEqualTo("piste.catalog.url");
          assertThat(p.expected()).startsWith("an https:// URI").contains("piste.catalog.token-uri");
        });
    PisteConfig.of(withToken("http://127.0.0.1:8090", "https://auth.example.com/token"));
    // without a token no credential is sent: a catalog on a private network may be plain http
    PisteConfig.of(Map.of("piste.catalog.url", "http://catalog:8090",
        "piste.catalog.instance-url", "http://10.0.0.1:8080/"));
  }

  @Test
  void aTtlUnderOneSecondIsRefused() {
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.catalog.ttl", "900ms")))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("piste.catalog.ttl").hasMessageContaining("at least 1s");
  }

  @Test
  void theClientSecretIsMaskedInToString() {
    PisteConfig config = PisteConfig.of(Map.of("piste.catalog.token-uri", "https://auth/token",
        "piste.catalog.client-id", "orders", "piste.catalog.client-secret", "hush-hush-value"));
    assertThat(config.toString()).doesNotContain("hush-hush-value").contains("piste.catalog.client-secret=****");
  }
}
