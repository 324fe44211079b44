package dev.piste.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.PisteConfigurationException;
import dev.piste.core.PisteConfig;
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
