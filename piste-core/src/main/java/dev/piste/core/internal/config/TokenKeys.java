package dev.piste.core.internal.config;

import static dev.piste.core.internal.config.ValueType.BOOLEAN;
import static dev.piste.core.internal.config.ValueType.DURATION_TYPE;
import static dev.piste.core.internal.config.ValueType.HTTP_URI;
import static dev.piste.core.internal.config.ValueType.LIST;
import static dev.piste.core.internal.config.ValueType.PATH;
import static dev.piste.core.internal.config.ValueType.POSITIVE_INT;
import static dev.piste.core.internal.config.ValueType.SIZE_TYPE;
import static dev.piste.core.internal.config.ValueType.STRING;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Keys of token validation (JWT, introspection, API keys) and of the servlet path rules. */
public final class TokenKeys {
  private TokenKeys() {}

  private static final ValueType<List<String>> NON_EMPTY_LIST = ValueType.nonEmpty(LIST);

  /**
   * Whether a text can be a realm: it goes into a quoted string of {@code WWW-Authenticate}
   * (RFC 9110 11.6.1) as it is, so printable ASCII without {@code "} or {@code \}.
   */
  public static boolean quotableRealm(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c >= 0x20 && c <= 0x7E && c != '"' && c != '\\');
  }

  private static final ValueType<String> REALM_TYPE = ValueType.of(
      "printable ASCII without \" or \\ (a quoted-string of WWW-Authenticate)", s -> {
        if (!quotableRealm(s)) {
          throw new IllegalArgumentException("not a realm");
        }
        return s;
      });

  public static final Key<List<String>> CREDENTIALS = Key.of("piste.token.credentials",
      ValueType.nonEmpty(ValueType.listOf(Set.of("bearer", "api-key"))), "bearer, api-key",
      "Accepted credentials, looked for in this order: bearer (Authorization header; JWT, else "
          + "introspection), api-key (piste.token.api-key-header); a request with more than one is 400");
  public static final Key<URI> JWKS_URI = Key.of("piste.token.jwks-uri", HTTP_URI, null,
      "JWKS endpoint of the issuer (https; http only for loopback)");
  public static final Key<Path> JWK_FILE = Key.of("piste.token.jwk-file", PATH, null,
      "Static JWK set or PEM public key file, for offline use instead of a JWKS URI");
  public static final Key<List<String>> ISSUER = Key.of("piste.token.issuer", NON_EMPTY_LIST, null,
      "Accepted issuers (iss), compared exactly; required for JWTs");
  public static final Key<List<String>> AUDIENCE = Key.of("piste.token.audience", NON_EMPTY_LIST,
      null,
      "Accepted audiences: aud must contain one of them");
  public static final Key<Boolean> AUDIENCE_REQUIRED = Key.of("piste.token.audience-required",
      BOOLEAN, "true", "Whether a JWT must carry an accepted aud");
  public static final Key<List<String>> ALGORITHMS = Key.of("piste.token.algorithms",
      ValueType.nonEmpty(ValueType.listOf(Set.of("RS256", "RS384", "RS512", "PS256", "PS384",
          "PS512", "ES256", "ES384", "ES512", "EdDSA", "HS256"))),
      "RS256, PS256, ES256, EdDSA", "Allowed JWS algorithms; none is always rejected");
  public static final Key<String> HMAC_SECRET = Key.secret("piste.token.hmac-secret",
      "Shared secret for HS256 (at least 256 bits); never combined with JWKS keys");
  public static final Key<Duration> CLOCK_SKEW = Key.of("piste.token.clock-skew", DURATION_TYPE,
      "30s", "Tolerance on exp, nbf and iat (at most 60s)");
  public static final Key<Duration> MAX_LIFETIME = Key.of("piste.token.max-lifetime",
      DURATION_TYPE, "24h", "A token whose exp lies further ahead is rejected");
  public static final Key<Duration> MAX_AGE = Key.of("piste.token.max-age", DURATION_TYPE, null,
      "Optional: a token issued (iat) longer ago is rejected");
  public static final Key<List<String>> REQUIRED_CLAIMS = Key.of("piste.token.required-claims",
      LIST, "", "Claims every JWT must carry, in addition to exp");
  public static final Key<List<String>> TYPES = Key.of("piste.token.types", NON_EMPTY_LIST,
      "at+jwt, JWT",
      "Accepted JWT typ header values (RFC 9068)");
  public static final Key<String> SCOPE_CLAIM = Key.of("piste.token.scope-claim", STRING, "scope",
      "Claim holding the scopes (space-separated string or array; scp is also read)");
  public static final Key<List<String>> APPLICATION_CLAIMS = Key.of(
      "piste.token.application-claims", NON_EMPTY_LIST, "client_id, azp",
      "Claims holding the application id, first present wins");
  public static final Key<Long> MAX_LENGTH = Key.of("piste.token.max-length", SIZE_TYPE, "8KiB",
      "Longer credentials are rejected before any parsing");
  public static final Key<Boolean> ALLOW_QUERY_TOKEN = Key.of("piste.token.allow-query-token",
      BOOLEAN, "false", "Accept access_token in the query string (RFC 6750 2.3; discouraged)");
  public static final Key<String> REALM = Key.of("piste.token.realm", REALM_TYPE, null,
      "realm of WWW-Authenticate; default: the API id, else piste");
  public static final Key<Integer> CACHE_SIZE = Key.of("piste.token.cache-size", POSITIVE_INT,
      "10000", "Verified tokens kept (by hash), each no longer than its exp");
  public static final Key<Duration> JWKS_REFRESH_MIN_INTERVAL = Key.of(
      "piste.token.jwks-refresh-min-interval", DURATION_TYPE, "30s",
      "At most one JWKS refresh per interval for unknown kids");
  public static final Key<Duration> JWKS_CACHE_MIN = Key.of("piste.token.jwks-cache-min",
      DURATION_TYPE, "5m", "Lower clamp of the JWKS cache life taken from Cache-Control");
  public static final Key<Duration> JWKS_CACHE_MAX = Key.of("piste.token.jwks-cache-max",
      DURATION_TYPE, "1h", "Upper clamp of the JWKS cache life taken from Cache-Control");
  public static final Key<Duration> JWKS_MAX_STALENESS = Key.of("piste.token.jwks-max-staleness",
      DURATION_TYPE, "6h", "How long the last good keys keep serving while the JWKS endpoint fails");
  public static final Key<Duration> HTTP_TIMEOUT = Key.of("piste.token.http-timeout",
      DURATION_TYPE, "2s", "Connect and read timeout of JWKS and introspection calls");
  public static final Key<Long> JWKS_MAX_SIZE = Key.of("piste.token.jwks-max-size", SIZE_TYPE,
      "256KiB", "Largest JWKS response accepted");
  public static final Key<URI> INTROSPECTION_URI = Key.of("piste.token.introspection-uri",
      HTTP_URI, null, "RFC 7662 introspection endpoint for opaque tokens");
  public static final Key<String> INTROSPECTION_CLIENT_ID = Key.of(
      "piste.token.introspection-client-id", STRING, null,
      "Client id for the introspection endpoint (HTTP Basic)");
  public static final Key<String> INTROSPECTION_CLIENT_SECRET = Key.secret(
      "piste.token.introspection-client-secret", "Client secret for the introspection endpoint");
  public static final Key<Duration> INTROSPECTION_CACHE_TTL = Key.of(
      "piste.token.introspection-cache-ttl", DURATION_TYPE, "5m",
      "Active introspection results are cached until min(exp, this)");
  public static final Key<Duration> INTROSPECTION_NEGATIVE_TTL = Key.of(
      "piste.token.introspection-negative-ttl", DURATION_TYPE, "10s",
      "Inactive introspection results, and refusals for a missing application id, are cached this long");
  public static final Key<String> API_KEY_HEADER = Key.of("piste.token.api-key-header", STRING,
      "X-API-Key", "Header carrying an API key");
  public static final Key<Path> API_KEY_FILE = Key.of("piste.token.api-key-file", PATH, null,
      "File of SHA-256 hashed API keys for the default key store, read again when it changes");
  public static final Key<List<String>> PUBLIC_PATHS = Key.of("piste.token.public-paths", LIST,
      "", "Servlet: path patterns callable without credential (/v1/status, /docs/*)");
  public static final Key<String> SCOPE_RULES = Key.of("piste.token.scope-rules", STRING, null,
      "Servlet: required scopes per method and path, rules separated by ';' or new lines "
          + "(GET /v1/invoices/* invoices:read)");

  static final List<Key<?>> ALL = List.of(CREDENTIALS, JWKS_URI, JWK_FILE, ISSUER, AUDIENCE,
      AUDIENCE_REQUIRED, ALGORITHMS, HMAC_SECRET, CLOCK_SKEW, MAX_LIFETIME, MAX_AGE,
      REQUIRED_CLAIMS, TYPES, SCOPE_CLAIM, APPLICATION_CLAIMS, MAX_LENGTH, ALLOW_QUERY_TOKEN, REALM,
      CACHE_SIZE, JWKS_REFRESH_MIN_INTERVAL, JWKS_CACHE_MIN, JWKS_CACHE_MAX, JWKS_MAX_STALENESS,
      HTTP_TIMEOUT, JWKS_MAX_SIZE, INTROSPECTION_URI, INTROSPECTION_CLIENT_ID,
      INTROSPECTION_CLIENT_SECRET, INTROSPECTION_CACHE_TTL, INTROSPECTION_NEGATIVE_TTL,
      API_KEY_HEADER, API_KEY_FILE, PUBLIC_PATHS, SCOPE_RULES);
}
