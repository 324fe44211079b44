package dev.piste.core.token;

import dev.piste.AuthenticationMethod;
import dev.piste.Caller;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.config.RateLimitKeys;
import dev.piste.core.internal.config.TokenKeys;
import dev.piste.core.internal.token.Claims;
import dev.piste.core.internal.token.JwksKeySource;
import dev.piste.core.internal.token.JwtFormat;
import dev.piste.core.internal.token.KeySource;
import dev.piste.core.internal.token.Scopes;
import dev.piste.core.internal.token.Sha256;
import dev.piste.core.internal.token.StaticKeySource;
import dev.piste.core.internal.token.TokenSyntax;
import dev.piste.core.internal.token.VerifiedTokenCache;
import dev.piste.token.TokenFailure;
import dev.piste.token.TokenVerification;
import dev.piste.token.TokenVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodeValidator;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.UnresolvableKeyException;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWT access tokens with jose4j, hardened per the security baseline: strict format checks
 * before jose4j, an explicit algorithm allow-list ({@code none} never, HS256 only with {@code
 * piste.token.hmac-secret} and never with a JWKS key), required {@code exp}, {@code iat}, {@code
 * sub} and application id, exact issuer, audience, clock skew, maximum lifetime and age, {@code typ}
 * allow-list, and keys from {@code piste.token.jwks-uri} or {@code piste.token.jwk-file}.
 *
 * <p>A verified token is cached by its SHA-256 until its {@code exp} (or earlier), so a repeated
 * token costs a hash and a lookup. A token signed with a key of the key set is served from the
 * cache only while that set is current and may still serve (at most {@code
 * piste.token.jwks-max-staleness} past its expiry); an HS256 token, whose key is the secret,
 * whatever the state of the key set (not yet fetched, changed, or past the bound). The RFC 6750
 * {@code b64token} syntax is checked after that lookup, since a token identical to a verified one
 * is in it. jose4j's messages are never passed on: its error codes map to the fixed
 * {@link TokenFailure}s. Thread-safe; {@link #close()} stops the key refresher.
 */
public final class JwtTokenVerifier implements TokenVerifier, AutoCloseable {

  private static final int TEN_YEARS_SECONDS = 315_360_000;

  private final KeySource keys;
  private final Key hmacKey;
  private final Clock clock;
  private final long maxLength;
  private final Set<String> algorithms;
  private final String[] asymmetric;
  private final List<String> types;
  private final String[] issuers;
  private final String[] audiences;
  private final boolean audienceRequired;
  private final int skewSeconds;
  private final int maxLifetimeMinutes;
  private final Duration maxAge;
  private final List<String> requiredClaims;
  private final String scopeClaim;
  private final List<String> applicationClaims;
  private final String planClaim;
  private final VerifiedTokenCache cache;
  private volatile Consumers consumers = new Consumers(Long.MIN_VALUE, new ConcurrentHashMap<>());

  private JwtTokenVerifier(PisteConfig config, KeySource keys) {
    this.keys = keys;
    this.clock = config.clock();
    String secret = config.get(TokenKeys.HMAC_SECRET);
    this.hmacKey = secret != null
        ? new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256") : null;
    this.maxLength = config.get(TokenKeys.MAX_LENGTH);
    Set<String> algs = new LinkedHashSet<>(config.get(TokenKeys.ALGORITHMS));
    // the secret turns HS256 on when the allow-list is the default; an explicit list decides
    if (hmacKey != null && !config.isSet(TokenKeys.ALGORITHMS)) {
      algs.add("HS256");
    } else if (hmacKey == null) {
      algs.remove("HS256");
    } else if (!algs.contains("HS256")) {
      LoggerFactory.getLogger(JwtTokenVerifier.class).warn("{} is set but {} does not list"
          + " HS256: HS256 tokens are refused", TokenKeys.HMAC_SECRET.name(),
          TokenKeys.ALGORITHMS.name());
    }
    this.algorithms = Set.copyOf(algs);
    this.asymmetric = algs.stream().filter(a -> !a.startsWith("HS")).toArray(String[]::new);
    this.types = List.copyOf(config.get(TokenKeys.TYPES));
    List<String> iss = config.get(TokenKeys.ISSUER);
    if (iss == null || iss.isEmpty()) {
      // jose4j accepts any iss when given no issuer: never build such a verifier
      throw new IllegalArgumentException(TokenKeys.ISSUER.name() + " names no issuer");
    }
    this.issuers = iss.toArray(String[]::new);
    List<String> aud = config.get(TokenKeys.AUDIENCE);
    this.audiences = aud == null ? new String[0] : aud.toArray(String[]::new);
    this.audienceRequired = config.get(TokenKeys.AUDIENCE_REQUIRED);
    this.skewSeconds = (int) config.get(TokenKeys.CLOCK_SKEW).getSeconds();
    this.maxLifetimeMinutes = (int) Math.max(1, config.get(TokenKeys.MAX_LIFETIME).toMinutes());
    this.maxAge = config.get(TokenKeys.MAX_AGE);
    this.requiredClaims = List.copyOf(config.get(TokenKeys.REQUIRED_CLAIMS));
    this.scopeClaim = config.get(TokenKeys.SCOPE_CLAIM);
    this.applicationClaims = List.copyOf(config.get(TokenKeys.APPLICATION_CLAIMS));
    this.planClaim = config.get(RateLimitKeys.PLAN_CLAIM);
    this.cache = new VerifiedTokenCache(config.get(TokenKeys.CACHE_SIZE), clock);
  }

  /**
   * A verifier for this configuration: keys from {@code piste.token.jwks-uri} or {@code
   * piste.token.jwk-file}, or HS256 alone with {@code piste.token.hmac-secret}.
   *
   * @throws IllegalArgumentException when no key source is configured or the URI is not allowed
   * @throws UncheckedIOException when the key file cannot be read
   */
  public static JwtTokenVerifier create(PisteConfig config) {
    KeySource source;
    if (config.get(TokenKeys.JWKS_URI) != null) {
      source = new JwksKeySource(config.get(TokenKeys.JWKS_URI), config.clock(),
          config.get(TokenKeys.HTTP_TIMEOUT), config.get(TokenKeys.JWKS_MAX_SIZE),
          config.get(TokenKeys.JWKS_CACHE_MIN), config.get(TokenKeys.JWKS_CACHE_MAX),
          config.get(TokenKeys.JWKS_REFRESH_MIN_INTERVAL), config.get(TokenKeys.JWKS_MAX_STALENESS));
    } else if (config.get(TokenKeys.JWK_FILE) != null) {
      try {
        source = StaticKeySource.read(config.get(TokenKeys.JWK_FILE));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + TokenKeys.JWK_FILE.name(), e);
      }
    } else if (config.get(TokenKeys.HMAC_SECRET) != null) {
      source = new StaticKeySource(List.of());
    } else {
      throw new IllegalArgumentException("no JWT key source: set " + TokenKeys.JWKS_URI.name()
          + ", " + TokenKeys.JWK_FILE.name() + " or " + TokenKeys.HMAC_SECRET.name());
    }
    if (config.get(TokenKeys.ISSUER) == null) {
      throw new IllegalArgumentException(TokenKeys.ISSUER.name() + " is required to verify JWTs");
    }
    return new JwtTokenVerifier(config, source);
  }

  @Override
  public TokenVerification verify(String token) {
    if (token == null || token.isEmpty()) {
      return TokenVerification.rejected(TokenFailure.MALFORMED);
    }
    if (token.length() > maxLength) {
      return TokenVerification.rejected(TokenFailure.TOO_LONG);
    }
    if (token.indexOf('.') < 0) {
      return TokenVerification.unrecognized();
    }
    Sha256.Key hash = Sha256.key(token);
    long generation = keys.generation();
    TokenVerification cached = cache.get(hash, generation);
    if (cached != null) {
      return cached;
    }
    // after the cache: a token identical to a verified one is known to be in the syntax
    if (!TokenSyntax.b64token(token)) {
      return TokenVerification.rejected(TokenFailure.MALFORMED);
    }
    JwtFormat.Result format = JwtFormat.check(token, maxLength, algorithms, types);
    if (format.failure() != null) {
      return TokenVerification.rejected(format.failure());
    }
    if (format.unrecognized()) {
      return TokenVerification.unrecognized();
    }
    String alg = format.header().alg();
    Key key;
    String[] permitted;
    boolean hmac = alg.startsWith("HS");
    if (hmac) {
      key = hmacKey;
      permitted = new String[] {"HS256"};
      if (key == null) {
        return TokenVerification.rejected(TokenFailure.ALGORITHM_NOT_ALLOWED);
      }
    } else {
      KeySource.Lookup lookup = keys.lookup(format.header().kid(), alg);
      if (lookup.failure() != null) {
        return TokenVerification.rejected(lookup.failure());
      }
      key = lookup.key();
      permitted = asymmetric;
    }
    long now = clock.millis();
    JwtClaims claims;
    try {
      claims = consumerFor(key, permitted, now).processToClaims(token);
    } catch (InvalidJwtException e) {
      return TokenVerification.rejected(classify(e));
    } catch (RuntimeException e) {
      return TokenVerification.rejected(TokenFailure.MALFORMED);
    }
    TokenVerification result = caller(claims);
    // an HS256 answer depends on the secret alone, so no state of the key set bears on it; nothing
    // else is kept under UNUSABLE: it would match again whenever the set is past its bound
    if (result.isVerified() && (hmac || generation != KeySource.UNUSABLE)) {
      long until = result.expiresAt().toEpochMilli();
      cache.put(hash, result, until, hmac ? VerifiedTokenCache.ANY_GENERATION : generation);
    }
    return result;
  }

  /**
   * A consumer for this key, evaluating time at this second. jose4j's consumers are thread-safe but
   * fix their evaluation time when built; those of the current second are reused (jose4j counts
   * time in whole seconds anyway), so a verification does not pay for a builder.
   */
  private JwtConsumer consumerFor(Key key, String[] permitted, long nowMillis) {
    long second = Math.floorDiv(nowMillis, 1000);
    Consumers c = consumers;
    if (c.second != second) {
      c = new Consumers(second, new ConcurrentHashMap<>());
      consumers = c;
    }
    return c.byKey.computeIfAbsent(key, k -> consumer(k, permitted, second * 1000));
  }

  private record Consumers(long second, ConcurrentHashMap<Key, JwtConsumer> byKey) {}

  JwtConsumer consumer(Key key, String[] permitted, long now) {
    JwtConsumerBuilder b = new JwtConsumerBuilder()
        .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, permitted)
        .setVerificationKey(key)
        .setEvaluationTime(NumericDate.fromMilliseconds(now))
        .setRequireExpirationTime()
        .setRequireIssuedAt()
        .setRequireSubject()
        .setAllowedClockSkewInSeconds(skewSeconds)
        .setMaxFutureValidityInMinutes(maxLifetimeMinutes)
        .setIssuedAtRestrictions(0,
            maxAge != null ? (int) Math.min(maxAge.getSeconds(), TEN_YEARS_SECONDS) : TEN_YEARS_SECONDS)
        .setExpectedIssuers(true, issuers);
    if (audiences.length > 0) {
      b.setExpectedAudience(audienceRequired, audiences);
    } else if (audienceRequired) {
      b.setExpectedAudience(true, new String[0]);
    } else {
      b.setSkipDefaultAudienceValidation();
    }
    return b.build();
  }

  private TokenVerification caller(JwtClaims claims) {
    try {
      for (String c : requiredClaims) {
        if (!claims.hasClaim(c)) {
          return TokenVerification.rejected(TokenFailure.MISSING_CLAIM);
        }
      }
      String app = Claims.firstString(applicationClaims, claims::getClaimValue);
      if (app == null) {
        return TokenVerification.rejected(TokenFailure.MISSING_CLAIM);
      }
      Object scopeValue = claims.getClaimValue(scopeClaim);
      if (scopeValue == null && !"scp".equals(scopeClaim)) {
        scopeValue = claims.getClaimValue("scp");
      }
      Set<String> scopes = Scopes.parse(scopeValue);
      if (scopes == null) {
        return TokenVerification.rejected(TokenFailure.INVALID_CLAIM);
      }
      Object plan = planClaim != null ? claims.getClaimValue(planClaim) : null;
      long exp = claims.getExpirationTime().getValueInMillis();
      if (maxAge != null) {
        exp = Math.min(exp, claims.getIssuedAt().getValueInMillis() + maxAge.toMillis());
      }
      Map<String, Object> all = claims.getClaimsMap();
      Caller caller = Caller.builder()
          .applicationId(app)
          .subject(claims.getSubject())
          .scopes(scopes)
          .claims(all)
          .method(AuthenticationMethod.JWT)
          .plan(plan instanceof String p ? p : null)
          .build();
      return TokenVerification.verified(caller, Instant.ofEpochMilli(exp));
    } catch (MalformedClaimException | RuntimeException e) {
      return TokenVerification.rejected(TokenFailure.INVALID_CLAIM);
    }
  }

  /** jose4j's error codes to the fixed vocabulary; never its message, which may hold the token. */
  static TokenFailure classify(InvalidJwtException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvableKeyException) {
        for (Throwable r = t; r != null; r = r.getCause()) {
          if (r instanceof IOException) {
            return TokenFailure.KEYS_UNAVAILABLE;
          }
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    List<ErrorCodeValidator.Error> details = new ArrayList<>(e.getErrorDetails());
    if (details.isEmpty()) {
      return TokenFailure.MALFORMED;
    }
    int code = details.get(0).getErrorCode();
    if (code == ErrorCodes.EXPIRED) {
      return TokenFailure.EXPIRED;
    } else if (code == ErrorCodes.NOT_YET_VALID) {
      return TokenFailure.NOT_YET_VALID;
    } else if (code == ErrorCodes.ISSUED_AT_INVALID_FUTURE) {
      return TokenFailure.ISSUED_IN_FUTURE;
    } else if (code == ErrorCodes.ISSUED_AT_INVALID_PAST) {
      return TokenFailure.TOO_OLD;
    } else if (code == ErrorCodes.EXPIRATION_TOO_FAR_IN_FUTURE) {
      return TokenFailure.LIFETIME_TOO_LONG;
    } else if (code == ErrorCodes.ISSUER_INVALID || code == ErrorCodes.ISSUER_MISSING) {
      return TokenFailure.WRONG_ISSUER;
    } else if (code == ErrorCodes.AUDIENCE_INVALID || code == ErrorCodes.AUDIENCE_MISSING) {
      return TokenFailure.WRONG_AUDIENCE;
    } else if (code == ErrorCodes.EXPIRATION_MISSING || code == ErrorCodes.ISSUED_AT_MISSING
        || code == ErrorCodes.SUBJECT_MISSING || code == ErrorCodes.JWT_ID_MISSING) {
      return TokenFailure.MISSING_CLAIM;
    } else if (code == ErrorCodes.MALFORMED_CLAIM) {
      return TokenFailure.INVALID_CLAIM;
    } else if (code == ErrorCodes.TYPE_INVALID || code == ErrorCodes.TYPE_MISSING) {
      return TokenFailure.TYPE_NOT_ALLOWED;
    } else if (code == ErrorCodes.JSON_INVALID) {
      return TokenFailure.MALFORMED;
    }
    return TokenFailure.BAD_SIGNATURE;
  }

  /** Verified tokens currently cached (for tests and metrics). */
  int cachedTokens() {
    return cache.size();
  }

  @Override
  public void close() {
    keys.close();
  }

  /** Names the verifier without any key material. */
  @Override
  public String toString() {
    return "JwtTokenVerifier[algorithms=" + algorithms + ", issuers=" + List.of(issuers) + "]";
  }

  static JwtTokenVerifier withKeySource(PisteConfig config, KeySource source) {
    return new JwtTokenVerifier(config, source);
  }
}
