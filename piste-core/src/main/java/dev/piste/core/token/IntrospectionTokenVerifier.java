package dev.piste.core.token;

import com.fasterxml.jackson.databind.JsonNode;
import dev.piste.AuthenticationMethod;
import dev.piste.Caller;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.config.RateLimitKeys;
import dev.piste.core.internal.config.TokenKeys;
import dev.piste.core.internal.token.Claims;
import dev.piste.core.internal.token.HttpFetcher;
import dev.piste.core.internal.token.Scopes;
import dev.piste.core.internal.token.Sha256;
import dev.piste.core.internal.token.StrictJson;
import dev.piste.core.internal.token.TokenSyntax;
import dev.piste.core.internal.token.VerifiedTokenCache;
import dev.piste.token.TokenFailure;
import dev.piste.token.TokenVerification;
import dev.piste.token.TokenVerifier;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies opaque tokens by RFC 7662 introspection ({@code piste.token.introspection-uri}), the
 * resource server authenticating with HTTP Basic ({@code piste.token.introspection-client-id} and
 * {@code -secret}). Only {@code "active": true} is accepted; {@code exp} and {@code nbf} (with
 * {@code piste.token.clock-skew}), and {@code iss} and {@code aud} when the engine is configured
 * with them, are checked too. An active answer without an application id ({@code
 * piste.token.application-claims}) is {@link TokenFailure#MISSING_CLAIM}, as a JWT without one is.
 * Active answers are cached by the token's SHA-256 until min({@code exp}, {@code
 * piste.token.introspection-cache-ttl}); inactive ones, and the refusal of an active one without an
 * application id, for {@code piste.token.introspection-negative-ttl}. An endpoint that fails, times
 * out or answers other than 200 with a JSON object gives {@link TokenFailure#INTROSPECTION_UNAVAILABLE} (503). A token outside
 * the RFC 6750 {@code b64token} syntax is {@link TokenFailure#MALFORMED} without a call; the syntax
 * is checked after the cache lookup, since a cached token is in it. The client secret and the token
 * are never logged. Thread-safe.
 */
public final class IntrospectionTokenVerifier implements TokenVerifier, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(IntrospectionTokenVerifier.class);
  private static final long MAX_RESPONSE = 64 * 1024;

  private final URI uri;
  private final String authorization;
  private final HttpFetcher http;
  private final Duration timeout;
  private final Clock clock;
  private final long maxLength;
  private final Duration ttl;
  private final Duration negativeTtl;
  private final List<String> issuers;
  private final List<String> audiences;
  private final String scopeClaim;
  private final String planClaim;
  private final long skewMillis;
  private final List<String> applicationClaims;
  private final VerifiedTokenCache cache;

  private IntrospectionTokenVerifier(PisteConfig config) {
    this.uri = config.get(TokenKeys.INTROSPECTION_URI);
    if (uri == null) {
      throw new IllegalArgumentException(TokenKeys.INTROSPECTION_URI.name() + " is not set");
    }
    if (!HttpFetcher.allowed(uri)) {
      throw new IllegalArgumentException(TokenKeys.INTROSPECTION_URI.name()
          + " must be https (http only for loopback)");
    }
    String id = config.get(TokenKeys.INTROSPECTION_CLIENT_ID);
    String secret = config.get(TokenKeys.INTROSPECTION_CLIENT_SECRET);
    this.authorization = id != null && secret != null ? "Basic " + Base64.getEncoder().encodeToString(
        (form(id) + ":" + form(secret)).getBytes(StandardCharsets.UTF_8)) : null;
    this.timeout = config.get(TokenKeys.HTTP_TIMEOUT);
    this.http = new HttpFetcher(timeout, MAX_RESPONSE, "piste-introspection");
    this.clock = config.clock();
    this.maxLength = config.get(TokenKeys.MAX_LENGTH);
    this.ttl = config.get(TokenKeys.INTROSPECTION_CACHE_TTL);
    this.negativeTtl = config.get(TokenKeys.INTROSPECTION_NEGATIVE_TTL);
    this.issuers = config.get(TokenKeys.ISSUER);
    this.audiences = config.get(TokenKeys.AUDIENCE);
    this.scopeClaim = config.get(TokenKeys.SCOPE_CLAIM);
    this.planClaim = config.get(RateLimitKeys.PLAN_CLAIM);
    this.skewMillis = config.get(TokenKeys.CLOCK_SKEW).toMillis();
    this.applicationClaims = List.copyOf(config.get(TokenKeys.APPLICATION_CLAIMS));
    this.cache = new VerifiedTokenCache(config.get(TokenKeys.CACHE_SIZE), clock);
  }

  /** A verifier calling {@code piste.token.introspection-uri}. */
  public static IntrospectionTokenVerifier create(PisteConfig config) {
    return new IntrospectionTokenVerifier(config);
  }

  @Override
  public TokenVerification verify(String token) {
    if (token == null || token.isEmpty()) {
      return TokenVerification.rejected(TokenFailure.MALFORMED);
    }
    if (token.length() > maxLength) {
      return TokenVerification.rejected(TokenFailure.TOO_LONG);
    }
    Sha256.Key hash = Sha256.key(token);
    TokenVerification cached = cache.get(hash, 0);
    if (cached != null) {
      return cached;
    }
    // after the cache: a token identical to a verified one is known to be in the syntax
    if (!TokenSyntax.b64token(token)) {
      return TokenVerification.rejected(TokenFailure.MALFORMED);
    }
    HttpRequest.Builder req = HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "token=" + form(token) + "&token_type_hint=access_token"));
    if (authorization != null) {
      req.header("Authorization", authorization);
    }
    HttpFetcher.Response r;
    try {
      r = http.send(req).get(timeout.toMillis() * 3, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return TokenVerification.unavailable(TokenFailure.INTROSPECTION_UNAVAILABLE);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      LOG.warn("token introspection at {} failed: {}", uri, cause.getClass().getSimpleName());
      return TokenVerification.unavailable(TokenFailure.INTROSPECTION_UNAVAILABLE);
    }
    if (r.status() != 200) {
      LOG.warn("token introspection at {} answered HTTP {}", uri, r.status());
      return TokenVerification.unavailable(TokenFailure.INTROSPECTION_UNAVAILABLE);
    }
    JsonNode body = StrictJson.object(r.body());
    if (body == null || !body.has("active")) {
      LOG.warn("token introspection at {} answered something other than an RFC 7662 object", uri);
      return TokenVerification.unavailable(TokenFailure.INTROSPECTION_UNAVAILABLE);
    }
    long now = clock.millis();
    TokenVerification result = interpret(body, now);
    if (result.isVerified()) {
      cache.put(hash, result, result.expiresAt().toEpochMilli(), 0);
    } else if (result.failure() == TokenFailure.INACTIVE
        || result.failure() == TokenFailure.MISSING_CLAIM) {
      // the server will not give the token an application id later: a client sending it in a loop
      // is answered from the cache, as for an inactive token, not by a call each time
      cache.put(hash, result, now + negativeTtl.toMillis(), 0);
    }
    return result;
  }

  private TokenVerification interpret(JsonNode body, long now) {
    JsonNode active = body.get("active");
    if (!active.isBoolean() || !active.booleanValue()) {
      return TokenVerification.rejected(TokenFailure.INACTIVE);
    }
    // token_type_hint is only a hint: a server may answer for a refresh token, which must not
    // open the API as an access token would
    JsonNode type = body.get("token_type");
    if (type != null && type.isTextual()
        && type.textValue().toLowerCase(java.util.Locale.ROOT).startsWith("refresh")) {
      return TokenVerification.rejected(TokenFailure.TYPE_NOT_ALLOWED);
    }
    long until = now + ttl.toMillis();
    JsonNode exp = body.get("exp");
    if (exp != null) {
      if (!exp.isNumber() || !Double.isFinite(exp.doubleValue())) {
        return TokenVerification.rejected(TokenFailure.INVALID_CLAIM);
      }
      long expMillis = (long) (exp.doubleValue() * 1000);
      // with the clock skew, as jose4j checks a JWT's exp; cached no longer than exp itself, so
      // within the skew every request asks again
      if (expMillis <= now - skewMillis) {
        return TokenVerification.rejected(TokenFailure.EXPIRED);
      }
      until = Math.min(until, expMillis);
    }
    JsonNode nbf = body.get("nbf");
    if (nbf != null) {
      if (!nbf.isNumber() || !Double.isFinite(nbf.doubleValue())) {
        return TokenVerification.rejected(TokenFailure.INVALID_CLAIM);
      }
      if ((long) (nbf.doubleValue() * 1000) > now + skewMillis) {
        return TokenVerification.rejected(TokenFailure.NOT_YET_VALID);
      }
    }
    if (issuers != null && body.has("iss") && !issuers.contains(body.get("iss").asText())) {
      return TokenVerification.rejected(TokenFailure.WRONG_ISSUER);
    }
    // aud is optional in RFC 7662 (the server authenticated this resource server to answer): it is
    // checked when the answer carries it
    if (audiences != null && body.has("aud") && !audienceMatches(body.get("aud"))) {
      return TokenVerification.rejected(TokenFailure.WRONG_AUDIENCE);
    }
    Map<String, Object> claims = StrictJson.toMap(body);
    // as for a JWT: a caller without an application would escape its plan and quotas
    String client = Claims.firstString(applicationClaims, claims::get);
    if (client == null) {
      return TokenVerification.rejected(TokenFailure.MISSING_CLAIM);
    }
    Object scopeValue = claims.get(scopeClaim);
    if (scopeValue == null) {
      scopeValue = claims.get("scp");
    }
    Set<String> scopes = Scopes.parse(scopeValue);
    if (scopes == null) {
      return TokenVerification.rejected(TokenFailure.INVALID_CLAIM);
    }
    Object sub = claims.get("sub");
    Object plan = planClaim != null ? claims.get(planClaim) : null;
    Caller caller = Caller.builder()
        .applicationId(client)
        .subject(sub instanceof String s ? s : null)
        .scopes(scopes)
        .claims(claims)
        .method(AuthenticationMethod.INTROSPECTION)
        .plan(plan instanceof String p ? p : null)
        .build();
    return TokenVerification.verified(caller, Instant.ofEpochMilli(until));
  }

  private boolean audienceMatches(JsonNode aud) {
    if (aud.isTextual()) {
      return audiences.contains(aud.textValue());
    }
    if (!aud.isArray()) {
      return false;
    }
    for (JsonNode a : aud) {
      if (a.isTextual() && audiences.contains(a.textValue())) {
        return true;
      }
    }
    return false;
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    http.close();
  }

  /** Names the endpoint, never the client secret. */
  @Override
  public String toString() {
    return "IntrospectionTokenVerifier[" + uri + "]";
  }
}
