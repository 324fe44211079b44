package dev.piste.core.internal.config;

import dev.piste.PisteConfigurationException.Problem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Checks that span several keys: requirements and conflicts. Every problem is collected. */
public final class ConfigValidation {
  private ConfigValidation() {}

  /** The largest request body an audit event may carry. */
  static final long MAX_BODY_CAPTURE = 1 << 20;

  public static void check(Map<String, Object> v, List<Problem> problems) {
    // token
    Object secret = v.get(TokenKeys.HMAC_SECRET.name());
    if (secret instanceof String s && s.getBytes(StandardCharsets.UTF_8).length < 32) {
      problems.add(new Problem(TokenKeys.HMAC_SECRET.name(), "****",
          "a secret of at least 256 bits (32 bytes)", null));
    }
    // jose4j counts the skew in whole seconds and the furthest exp in whole minutes: a finer value
    // would be rounded down without a word
    Duration skew = (Duration) v.get(TokenKeys.CLOCK_SKEW.name());
    if (skew != null && (skew.compareTo(Duration.ofSeconds(60)) > 0 || skew.getNano() != 0)) {
      problems.add(new Problem(TokenKeys.CLOCK_SKEW.name(), skew.toMillis() + "ms",
          "a whole number of seconds, at most 60s", null));
    }
    Duration lifetime = (Duration) v.get(TokenKeys.MAX_LIFETIME.name());
    if (lifetime != null && (lifetime.compareTo(Duration.ofMinutes(1)) < 0
        || lifetime.toMillis() % 60_000 != 0)) {
      problems.add(new Problem(TokenKeys.MAX_LIFETIME.name(), lifetime.toMillis() / 1000 + "s",
          "a whole number of minutes, at least 1m", null));
    }
    if (v.get(TokenKeys.JWKS_URI.name()) != null && v.get(TokenKeys.JWK_FILE.name()) != null) {
      problems.add(new Problem(TokenKeys.JWK_FILE.name(), String.valueOf(v.get(TokenKeys.JWK_FILE.name())),
          "either " + TokenKeys.JWKS_URI.name() + " or " + TokenKeys.JWK_FILE.name() + ", not both", null));
    }
    requireHttpsOrLoopback(v, problems, TokenKeys.JWKS_URI, "");
    requireHttpsOrLoopback(v, problems, TokenKeys.INTROSPECTION_URI, "");
    boolean jwt = v.get(TokenKeys.JWKS_URI.name()) != null || v.get(TokenKeys.JWK_FILE.name()) != null
        || v.get(TokenKeys.HMAC_SECRET.name()) != null;
    if (jwt) {
      requirePresent(v, problems, TokenKeys.ISSUER, "a JWT key source (jwks-uri, jwk-file or hmac-secret)");
      if (Boolean.TRUE.equals(v.get(TokenKeys.AUDIENCE_REQUIRED.name()))) {
        requirePresent(v, problems, TokenKeys.AUDIENCE,
            "piste.token.audience-required=true (set it to false to accept any aud)");
      }
    }
    if (v.get(TokenKeys.ALGORITHMS.name()) instanceof List<?> algs && algs.contains("HS256")
        && v.get(TokenKeys.HMAC_SECRET.name()) == null) {
      problems.add(new Problem(TokenKeys.ALGORITHMS.name(), String.join(", ",
          algs.stream().map(String::valueOf).toList()),
          "HS256 only together with " + TokenKeys.HMAC_SECRET.name() + " (never with JWKS keys)", null));
    }
    Object tokenTimeout = v.get(TokenKeys.HTTP_TIMEOUT.name());
    if (tokenTimeout instanceof Duration d
        && (d.isZero() || d.compareTo(Duration.ofSeconds(60)) > 0)) {
      problems.add(new Problem(TokenKeys.HTTP_TIMEOUT.name(), d.toMillis() + "ms",
          "a duration between 1ms and 60s", null));
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
    for (Map.Entry<String, Object> e : v.entrySet()) {
      if (e.getKey().startsWith(RateLimitKeys.APPLICATION_PLANS.name())
          && !v.containsKey(RateLimitKeys.PLANS.name() + e.getValue())) {
        problems.add(new Problem(e.getKey(), String.valueOf(e.getValue()),
            "the name of a plan defined by piste.ratelimit.plans.<name>", null));
      }
    }
    Object table = v.get(RateLimitKeys.JDBC_TABLE.name());
    if (table instanceof String t && !t.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      problems.add(new Problem(RateLimitKeys.JDBC_TABLE.name(), t,
          "an SQL identifier: a letter or _, then letters, digits or _ (at most 63)", null));
    }
    Object redis = v.get(RateLimitKeys.REDIS_URI.name());
    if (redis instanceof java.net.URI u && !"redis".equalsIgnoreCase(u.getScheme())
        && !"rediss".equalsIgnoreCase(u.getScheme())) {
      problems.add(new Problem(RateLimitKeys.REDIS_URI.name(), u.getScheme() + "://...",
          "a redis:// or rediss:// URI", null));
    }
    Object storeTimeout = v.get(RateLimitKeys.STORE_TIMEOUT.name());
    if (storeTimeout instanceof Duration d && (d.isZero() || d.compareTo(Duration.ofSeconds(10)) > 0)) {
      problems.add(new Problem(RateLimitKeys.STORE_TIMEOUT.name(), d.toMillis() + "ms",
          "a duration between 1ms and 10s", null));
    }
    // audit
    if (v.get(AuditKeys.BODY_MAX_SIZE.name()) instanceof Long body && body > MAX_BODY_CAPTURE) {
      // an event must fit a spool record (16 MiB) even when every byte is escaped (6 bytes)
      problems.add(new Problem(AuditKeys.BODY_MAX_SIZE.name(), String.valueOf(body),
          "a size of at most 1MiB", null));
    }
    @SuppressWarnings("unchecked")
    List<String> sinks = (List<String>) v.get(AuditKeys.SINKS.name());
    if (sinks != null) {
      if (new java.util.HashSet<>(sinks).size() != sinks.size()) {
        problems.add(new Problem(AuditKeys.SINKS.name(), String.join(", ", sinks),
            "each sink at most once", null));
      }
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
    Object auditTable = v.get(AuditKeys.JDBC_TABLE.name());
    if (auditTable instanceof String t
        && !t.matches("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?")) {
      problems.add(new Problem(AuditKeys.JDBC_TABLE.name(), t,
          "an SQL table name, optionally schema-qualified (piste_audit, audit.events)", null));
    }
    Object batch = v.get(AuditKeys.BATCH_SIZE.name());
    Object queue = v.get(AuditKeys.QUEUE_SIZE.name());
    if (batch instanceof Integer b && queue instanceof Integer q && b > q) {
      problems.add(new Problem(AuditKeys.BATCH_SIZE.name(), b.toString(),
          "a batch size no larger than " + AuditKeys.QUEUE_SIZE.name() + " (" + q + ")", null));
    }
    Object fileMax = v.get(AuditKeys.FILE_MAX_SIZE.name());
    if (fileMax instanceof Long m && m < 4096) {
      problems.add(new Problem(AuditKeys.FILE_MAX_SIZE.name(), m.toString(),
          "a size of at least 4KiB", null));
    }
    // the JDK's HttpClient refuses a zero timeout, from the sink's constructor: said here instead
    Duration auditTimeout = (Duration) v.get(AuditKeys.HTTP_TIMEOUT.name());
    if (auditTimeout != null && auditTimeout.isZero()) {
      problems.add(new Problem(AuditKeys.HTTP_TIMEOUT.name(), "0s",
          "a positive duration such as 250ms, 5s or PT5S", null));
    }
    // catalog: the token endpoint receives the client secret, and the catalog then the bearer
    // token (without a token no credential is sent, and a catalog on a private network may be http)
    requireHttpsOrLoopback(v, problems, CatalogKeys.TOKEN_URI, "");
    if (v.get(CatalogKeys.TOKEN_URI.name()) != null) {
      requireHttpsOrLoopback(v, problems, CatalogKeys.URL,
          ", required by " + CatalogKeys.TOKEN_URI.name() + " (the catalog receives its token)");
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

  /** A URI that receives a credential: https, or plain http to a loopback host only. */
  private static void requireHttpsOrLoopback(Map<String, Object> v, List<Problem> problems,
      Key<java.net.URI> key, String because) {
    if (v.get(key.name()) instanceof java.net.URI u && !httpsOrLoopback(u)) {
      problems.add(new Problem(key.name(), u.toString(),
          "an https:// URI (plain http only for localhost, 127.0.0.0/8 or [::1])" + because, null));
    }
  }

  /** https, or http to a literal loopback host: no name is resolved while validating. */
  static boolean httpsOrLoopback(java.net.URI u) {
    if ("https".equalsIgnoreCase(u.getScheme())) {
      return true;
    }
    String h = u.getHost();
    return "http".equalsIgnoreCase(u.getScheme()) && h != null
        && (h.equalsIgnoreCase("localhost") || Cidr.loopbackLiteral(h));
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
