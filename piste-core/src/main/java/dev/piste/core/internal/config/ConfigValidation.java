package dev.piste.core.internal.config;

import dev.piste.PisteConfigurationException.Problem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Checks that span several keys: requirements and conflicts. Every problem is collected. */
public final class ConfigValidation {
  private ConfigValidation() {}

  public static void check(Map<String, Object> v, List<Problem> problems) {
    // token
    Object secret = v.get(TokenKeys.HMAC_SECRET.name());
    if (secret instanceof String s && s.getBytes(StandardCharsets.UTF_8).length < 32) {
      problems.add(new Problem(TokenKeys.HMAC_SECRET.name(), "****",
          "a secret of at least 256 bits (32 bytes)", null));
    }
    Duration skew = (Duration) v.get(TokenKeys.CLOCK_SKEW.name());
    if (skew != null && skew.compareTo(Duration.ofSeconds(60)) > 0) {
      problems.add(new Problem(TokenKeys.CLOCK_SKEW.name(), skew.getSeconds() + "s",
          "a duration of at most 60s", null));
    }
    if (v.get(TokenKeys.JWKS_URI.name()) != null && v.get(TokenKeys.JWK_FILE.name()) != null) {
      problems.add(new Problem(TokenKeys.JWK_FILE.name(), String.valueOf(v.get(TokenKeys.JWK_FILE.name())),
          "either " + TokenKeys.JWKS_URI.name() + " or " + TokenKeys.JWK_FILE.name() + ", not both", null));
    }
    requireWith(v, problems, TokenKeys.INTROSPECTION_CLIENT_SECRET, TokenKeys.INTROSPECTION_CLIENT_ID);
    requireWith(v, problems, TokenKeys.INTROSPECTION_CLIENT_ID, TokenKeys.INTROSPECTION_CLIENT_SECRET);
    // rate limits
    Object store = v.get(RateLimitKeys.STORE.name());
    if ("redis".equals(store)) {
      requirePresent(v, problems, RateLimitKeys.REDIS_URI, "piste.ratelimit.store=redis");
    }
    if ("postgresql".equals(store)) {
      requirePresent(v, problems, RateLimitKeys.JDBC_URL, "piste.ratelimit.store=postgresql");
    }
    Object defaultPlan = v.get(RateLimitKeys.DEFAULT_PLAN.name());
    if (defaultPlan != null && !v.containsKey(RateLimitKeys.PLANS.name() + defaultPlan)) {
      problems.add(new Problem(RateLimitKeys.DEFAULT_PLAN.name(), defaultPlan.toString(),
          "the name of a plan defined by piste.ratelimit.plans.<name>", null));
    }
    // audit
    @SuppressWarnings("unchecked")
    List<String> sinks = (List<String>) v.get(AuditKeys.SINKS.name());
    if (sinks != null) {
      if (sinks.contains("file")) {
        requirePresent(v, problems, AuditKeys.FILE_PATH, "piste.audit.sinks containing file");
      }
      if (sinks.contains("http")) {
        requirePresent(v, problems, AuditKeys.HTTP_URL, "piste.audit.sinks containing http");
      }
      if (sinks.contains("jdbc")) {
        requirePresent(v, problems, AuditKeys.JDBC_URL, "piste.audit.sinks containing jdbc");
      }
    }
    // catalog
    if (v.get(CatalogKeys.TOKEN_URI.name()) != null) {
      requirePresent(v, problems, CatalogKeys.CLIENT_ID, "piste.catalog.token-uri");
      requirePresent(v, problems, CatalogKeys.CLIENT_SECRET, "piste.catalog.token-uri");
    }
    if (v.get(CatalogKeys.URL.name()) != null) {
      requirePresent(v, problems, CatalogKeys.INSTANCE_URL, "piste.catalog.url");
    }
    requireWith(v, problems, CatalogKeys.CLIENT_ID, CatalogKeys.TOKEN_URI);
    requireWith(v, problems, CatalogKeys.CLIENT_SECRET, CatalogKeys.TOKEN_URI);
    Duration ttl = (Duration) v.get(CatalogKeys.TTL.name());
    if (ttl != null && ttl.compareTo(Duration.ofSeconds(1)) < 0) {
      problems.add(new Problem(CatalogKeys.TTL.name(), ttl.toMillis() + "ms",
          "a duration of at least 1s (the heartbeat runs every third of it)", null));
    }
    Duration catalogTimeout = (Duration) v.get(CatalogKeys.HTTP_TIMEOUT.name());
    if (catalogTimeout != null && catalogTimeout.isZero()) {
      problems.add(new Problem(CatalogKeys.HTTP_TIMEOUT.name(), "0s", "a positive duration", null));
    }
  }

  private static void requirePresent(Map<String, Object> v, List<Problem> problems, Key<?> key,
      String because) {
    if (v.get(key.name()) == null) {
      problems.add(new Problem(key.name(), null, key.type().expected() + ", required by " + because,
          null));
    }
  }

  private static void requireWith(Map<String, Object> v, List<Problem> problems, Key<?> present,
      Key<?> required) {
    if (v.get(present.name()) != null) {
      requirePresent(v, problems, required, present.name());
    }
  }
}
