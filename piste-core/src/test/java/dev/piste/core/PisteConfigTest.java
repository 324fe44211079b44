package dev.piste.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.PisteConfigurationException;
import dev.piste.core.internal.config.AuditKeys;
import dev.piste.core.internal.config.CatalogKeys;
import dev.piste.core.internal.config.CoreKeys;
import dev.piste.core.internal.config.RateLimitKeys;
import dev.piste.core.internal.config.TokenKeys;
import dev.piste.ratelimit.Limit;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class PisteConfigTest {

  private static PisteConfig.Builder isolated() {
    return PisteConfig.defaults().toBuilder();
  }

  @Test
  void defaultsApplyWhenNothingIsSet() {
    PisteConfig c = PisteConfig.defaults();
    assertThat(c.enabled()).isTrue();
    assertThat(c.get(TokenKeys.CLOCK_SKEW)).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.get(TokenKeys.MAX_LENGTH)).isEqualTo(8192L);
    assertThat(c.get(TokenKeys.API_KEY_HEADER)).isEqualTo("X-API-Key");
    assertThat(c.get(RateLimitKeys.STORE_TIMEOUT)).isEqualTo(Duration.ofMillis(50));
    assertThat(c.get(RateLimitKeys.ON_STORE_FAILURE)).isEqualTo("fail-open");
    assertThat(c.get(RateLimitKeys.INSTANCES)).isEqualTo(1);
    assertThat(c.get(AuditKeys.SINKS)).containsExactly("slf4j");
    assertThat(c.get(CatalogKeys.TTL)).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.get(CatalogKeys.OPENAPI_PATH)).isEqualTo("/openapi.json");
    assertThat(c.get(TokenKeys.JWKS_URI)).isNull();
  }

  @Test
  void precedenceIsSystemPropertiesThenEnvironmentThenInitParamsThenContextParamsThenClasspath() {
    String key = "piste.token.clock-skew";
    PisteConfig.Builder all = isolated()
        .classpathProperties(Map.of(key, "1s"))
        .contextParameters(Map.of(key, "2s"))
        .initParameters(Map.of(key, "3s"))
        .environment(Map.of("PISTE_TOKEN_CLOCK_SKEW", "4s"))
        .systemProperties(Map.of(key, "5s"));
    assertThat(all.build().get(TokenKeys.CLOCK_SKEW)).isEqualTo(Duration.ofSeconds(5));

    assertThat(isolated().classpathProperties(Map.of(key, "1s")).contextParameters(Map.of(key, "2s"))
        .initParameters(Map.of(key, "3s")).environment(Map.of("PISTE_TOKEN_CLOCK_SKEW", "4s"))
        .build().get(TokenKeys.CLOCK_SKEW)).isEqualTo(Duration.ofSeconds(4));
    assertThat(isolated().classpathProperties(Map.of(key, "1s")).contextParameters(Map.of(key, "2s"))
        .initParameters(Map.of(key, "3s")).build().get(TokenKeys.CLOCK_SKEW))
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(isolated().classpathProperties(Map.of(key, "1s")).contextParameters(Map.of(key, "2s"))
        .build().get(TokenKeys.CLOCK_SKEW)).isEqualTo(Duration.ofSeconds(2));
    assertThat(isolated().classpathProperties(Map.of(key, "1s")).build().get(TokenKeys.CLOCK_SKEW))
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void explicitBuilderValuesOverrideEverySource() {
    PisteConfig c = isolated()
        .systemProperties(Map.of("piste.token.clock-skew", "5s"))
        .clockSkew(Duration.ofSeconds(7))
        .build();
    assertThat(c.get(TokenKeys.CLOCK_SKEW)).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void environmentVariablesMapToKeysAndToKeyFamilies() {
    PisteConfig c = isolated().environment(Map.of(
        "PISTE_TOKEN_JWKS_URI", "https://idp.example/jwks",
        "PISTE_TOKEN_ISSUER", "https://idp.example",
        "PISTE_TOKEN_AUDIENCE", "invoices",
        "PISTE_RATELIMIT_PLANS_GOLD", "100/s burst 200; 1000000/day",
        "PATH", "/usr/bin")).build();
    assertThat(c.get(TokenKeys.JWKS_URI)).isEqualTo(URI.create("https://idp.example/jwks"));
    assertThat(c.values(RateLimitKeys.PLANS)).containsOnlyKeys("gold");
    assertThat(c.values(RateLimitKeys.PLANS).get("gold")).containsExactly(
        new Limit(100, Limit.Unit.SECOND, 200), Limit.of(1_000_000, Limit.Unit.DAY));
  }

  @Test
  void nonPisteNamesInEverySourceAreIgnored() {
    PisteConfig c = isolated().contextParameters(Map.of("contextConfigLocation", "x"))
        .systemProperties(Map.of("java.version", "17")).build();
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void parsesDurationsInShortAndIsoForms() {
    assertThat(parse("piste.token.max-age", "250ms").get(TokenKeys.MAX_AGE)).isEqualTo(Duration.ofMillis(250));
    assertThat(parse("piste.token.max-age", "30s").get(TokenKeys.MAX_AGE)).isEqualTo(Duration.ofSeconds(30));
    assertThat(parse("piste.token.max-age", "5m").get(TokenKeys.MAX_AGE)).isEqualTo(Duration.ofMinutes(5));
    assertThat(parse("piste.token.max-age", "24h").get(TokenKeys.MAX_AGE)).isEqualTo(Duration.ofHours(24));
    assertThat(parse("piste.token.max-age", "2d").get(TokenKeys.MAX_AGE)).isEqualTo(Duration.ofDays(2));
    assertThat(parse("piste.token.max-age", "PT30S").get(TokenKeys.MAX_AGE)).isEqualTo(Duration.ofSeconds(30));
    assertThat(parse("piste.token.max-age", " PT1H30M ").get(TokenKeys.MAX_AGE)).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void parsesSizesInBytesAndBinaryUnits() {
    assertThat(parse("piste.token.max-length", "4096").get(TokenKeys.MAX_LENGTH)).isEqualTo(4096L);
    assertThat(parse("piste.token.max-length", "8KiB").get(TokenKeys.MAX_LENGTH)).isEqualTo(8192L);
    assertThat(parse("piste.audit.file.max-size", "64MiB").get(AuditKeys.FILE_MAX_SIZE)).isEqualTo(64L << 20);
    assertThat(parse("piste.audit.file.max-size", "1GiB").get(AuditKeys.FILE_MAX_SIZE)).isEqualTo(1L << 30);
  }

  @Test
  void parsesUrisListsBooleansZonesAndCidrs() {
    PisteConfig c = PisteConfig.of(Map.of(
        "piste.token.jwks-uri", "https://idp.example/.well-known/jwks.json",
        "piste.token.issuer", "https://a.example, https://b.example",
        "piste.token.audience", "invoices",
        "piste.enabled", "FALSE",
        "piste.ratelimit.time-zone", "Europe/Paris",
        "piste.ratelimit.trusted-proxies", "10.0.0.0/8, 127.0.0.1, ::1/128"));
    assertThat(c.get(TokenKeys.JWKS_URI).getHost()).isEqualTo("idp.example");
    assertThat(c.get(TokenKeys.ISSUER)).containsExactly("https://a.example", "https://b.example");
    assertThat(c.enabled()).isFalse();
    assertThat(c.get(RateLimitKeys.TIME_ZONE).getId()).isEqualTo("Europe/Paris");
    assertThat(c.get(RateLimitKeys.TRUSTED_PROXIES)).hasSize(3);
  }

  @Test
  void parsesTheCompactLimitSyntax() {
    PisteConfig c = PisteConfig.of(Map.of(
        "piste.ratelimit.plans.gold", "100/s burst 200; 1000000/day",
        "piste.ratelimit.plans.free", "5/s;10000/day ; 200000/month",
        "piste.ratelimit.anonymous", "50/m"));
    assertThat(c.values(RateLimitKeys.PLANS).get("free")).containsExactly(
        Limit.of(5, Limit.Unit.SECOND), Limit.of(10_000, Limit.Unit.DAY),
        Limit.of(200_000, Limit.Unit.MONTH));
    assertThat(c.get(RateLimitKeys.ANONYMOUS)).containsExactly(Limit.of(50, Limit.Unit.MINUTE));
    assertThat(c.values(RateLimitKeys.PLANS).get("gold").get(0).toString()).isEqualTo("100/s burst 200");
  }

  @Test
  void reportsEveryBadValueAtOnceWithKeyValueAndExpectedForm() {
    assertThatThrownBy(() -> PisteConfig.of(Map.of(
        "piste.token.clock-skew", "soon",
        "piste.token.max-length", "8KB",
        "piste.ratelimit.plans.gold", "100 per second",
        "piste.token.jwks-uri", "ftp://idp.example/jwks",
        "piste.enabled", "yes")))
        .isInstanceOf(PisteConfigurationException.class)
        .satisfies(e -> {
          PisteConfigurationException pce = (PisteConfigurationException) e;
          assertThat(pce.problems()).extracting(PisteConfigurationException.Problem::key)
              .containsExactlyInAnyOrder("piste.token.clock-skew", "piste.token.max-length",
                  "piste.ratelimit.plans.gold", "piste.token.jwks-uri", "piste.enabled");
          assertThat(pce.getMessage())
              .contains("piste.token.clock-skew = 'soon': expected a duration such as 250ms, 30s, 5m, 24h, 7d or PT30S")
              .contains("piste.token.max-length = '8KB': expected a size in bytes, or a number with KiB, MiB or GiB")
              .contains("piste.ratelimit.plans.gold = '100 per second': expected limits such as 50/s")
              .contains("piste.enabled = 'yes': expected true or false");
        });
  }

  @Test
  void reportsMissingValuesThatAnotherKeyRequires() {
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.ratelimit.store", "redis",
        "piste.audit.sinks", "slf4j, file")))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("piste.ratelimit.redis.uri is missing")
        .hasMessageContaining("piste.audit.file.path is missing");
  }

  @Test
  void unknownKeyIsAWarningNamingTheNearestKnownKey() {
    PisteConfig c = PisteConfig.of(Map.of("piste.token.audiance", "invoices"));
    assertThat(c.warnings()).singleElement().asString()
        .startsWith("unknown key piste.token.audiance (did you mean piste.token.audience?)");
  }

  @Test
  void anUnknownKeyIsLoggedOnceAcrossRebuildsAndEvenWhenAnotherKeyIsWrong() {
    String log = captureErr(() -> {
      PisteConfig c = PisteConfig.of(Map.of("piste.token.audiance", "invoices"));
      c.toBuilder().build();
      c.toBuilder().property("piste.api.id", "x").build();
    });
    assertThat(log.split("unknown key piste.token.audiance", -1)).as("logged once").hasSize(2);
    String failing = captureErr(() -> assertThatThrownBy(() -> PisteConfig.of(Map.of(
        "piste.token.jwks-uri", "https://idp.example/jwks", "piste.token.issuer", "https://idp",
        "piste.token.audiance", "invoices")))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("piste.token.audience is missing"));
    assertThat(failing).as("the misspelt key that made the other missing")
        .contains("unknown key piste.token.audiance (did you mean piste.token.audience?)");
  }

  private static String captureErr(Runnable r) {
    return dev.piste.core.testing.Stderr.during(r::run);
  }

  @Test
  void unknownEnvironmentVariableIsAWarningNamingTheNearestVariable() {
    PisteConfig c = isolated().environment(Map.of("PISTE_TOKEN_AUDIANCE", "x")).build();
    assertThat(c.warnings()).singleElement().asString()
        .contains("PISTE_TOKEN_AUDIANCE").contains("PISTE_TOKEN_AUDIENCE");
  }

  @Test
  void secretsAreMaskedInToStringAndInErrors() {
    String secret = "s3cr3t-value-that-must-never-print-0123456789";
    PisteConfig c = PisteConfig.of(Map.of(
        "piste.token.introspection-uri", "https://idp.example/introspect",
        "piste.token.introspection-client-id", "api",
        "piste.token.introspection-client-secret", secret,
        "piste.ratelimit.jdbc.password", secret));
    assertThat(c.toString()).doesNotContain(secret).contains("piste.token.introspection-client-secret=****");
    assertThat(c.get(TokenKeys.INTROSPECTION_CLIENT_SECRET)).isEqualTo(secret);

    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.token.hmac-secret", "short-secret")))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("piste.token.hmac-secret = '****'")
        .hasMessageNotContaining("short-secret");
  }

  @Test
  void aPasswordInsideAUriIsMaskedInToStringAndInErrors() {
    PisteConfig c = PisteConfig.of(Map.of(
        "piste.ratelimit.redis.uri", "redis://app:r3dis-pa55@cache.internal:6379",
        "piste.audit.jdbc.url", "jdbc:postgresql://db/audit?user=a&password=pg-pa55&ssl=true"));
    assertThat(c.toString()).doesNotContain("r3dis-pa55").doesNotContain("pg-pa55")
        .contains("redis://app:****@cache.internal:6379")
        .contains("?user=a&password=****&ssl=true");
    assertThat(c.get(dev.piste.core.internal.config.AuditKeys.JDBC_URL)).contains("pg-pa55");

    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.ratelimit.redis.uri",
        "redis://app:r3dis-pa55@cache internal:6379")))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageNotContaining("r3dis-pa55");
  }

  @Test
  void aKeySetTwiceOnTheBuilderIsAnError() {
    assertThatThrownBy(() -> isolated().property("piste.token.clock-skew", "10s")
        .property("piste.token.clock-skew", "20s"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("piste.token.clock-skew was already set to 10s");
    assertThatThrownBy(() -> isolated().property("piste.token.hmac-secret", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        .property("piste.token.hmac-secret", "b"))
        .hasMessage("piste.token.hmac-secret was already set to ****");
  }

  @Test
  void toBuilderKeepsSourcesAndValues() {
    PisteConfig c = isolated().contextParameters(Map.of("piste.api.id", "invoices")).build();
    PisteConfig copy = c.toBuilder().initParameters(Map.of("piste.api.version", "1.0")).build();
    assertThat(copy.get(CoreKeys.API_ID)).isEqualTo("invoices");
    assertThat(copy.get(CoreKeys.API_VERSION)).isEqualTo("1.0");
  }

  @Test
  void listsAcceptOnlyKnownElementsWhereTheSetIsClosed() {
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.audit.sinks", "slf4j, kafka")))
        .hasMessageContaining("piste.audit.sinks = 'slf4j, kafka': expected a comma-separated list of file, http, jdbc, slf4j");
    assertThat(PisteConfig.of(Map.of("piste.audit.sinks", "slf4j")).get(AuditKeys.SINKS))
        .isEqualTo(List.of("slf4j"));
  }

  @ParameterizedTest(name = "{0} left empty")
  @ValueSource(strings = {"piste.token.issuer", "piste.token.audience", "piste.token.credentials",
      "piste.token.algorithms", "piste.token.types", "piste.token.application-claims"})
  void aTokenListLeftEmptyFailsNamingItsKey(String key) {
    // an environment variable left blank: "" must not mean "any issuer" or "no credential"
    Map<String, String> values = new java.util.HashMap<>(Map.of(
        "piste.token.jwks-uri", "https://idp.example/jwks", "piste.token.issuer", "https://idp",
        "piste.token.audience", "invoices"));
    values.put(key, "");
    assertThatThrownBy(() -> PisteConfig.of(values))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining(key + " = '': expected a non-empty comma-separated list");
  }

  @Test
  void tokenTimeoutsAndDurationsOutOfRangeFailNamingTheirKey() {
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.token.http-timeout", "0s")))
        .hasMessageContaining("piste.token.http-timeout = '0ms': expected a duration between 1ms and 60s");
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.token.jwks-cache-max", "999999999999d")))
        .hasMessageContaining("piste.token.jwks-cache-max = '999999999999d': expected a duration")
        .hasMessageContaining("at most 366d");
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.token.max-lifetime", "90s")))
        .hasMessageContaining("piste.token.max-lifetime = '90s': expected a whole number of minutes");
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.token.clock-skew", "500ms")))
        .hasMessageContaining("piste.token.clock-skew = '500ms': expected a whole number of seconds");
    assertThat(PisteConfig.of(Map.of("piste.token.max-lifetime", "2m")).get(TokenKeys.MAX_LIFETIME))
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(PisteConfig.of(Map.of("piste.token.jwks-max-staleness", "366d"))
        .get(TokenKeys.JWKS_MAX_STALENESS)).isEqualTo(Duration.ofDays(366));
  }

  @ParameterizedTest(name = "realm [{0}]")
  @ValueSource(strings = {"in\"voices", "back\\slash", "caf\u00e9"})
  void aRealmThatCannotBeQuotedAsItIsFailsAtStartUp(String realm) {
    assertThatThrownBy(() -> PisteConfig.of(Map.of("piste.token.realm", realm)))
        .isInstanceOf(PisteConfigurationException.class)
        .hasMessageContaining("piste.token.realm");
    assertThat(PisteConfig.of(Map.of("piste.token.realm", "invoices api")).get(TokenKeys.REALM))
        .isEqualTo("invoices api");
  }

  private static PisteConfig parse(String key, String value) {
    return PisteConfig.of(Map.of(key, value));
  }
}
