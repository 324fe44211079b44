package dev.piste.core.internal.token;

import dev.piste.Caller;
import dev.piste.Outcome;
import dev.piste.PisteConfigurationException;
import dev.piste.PisteRequest;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.config.TokenKeys;
import dev.piste.core.internal.pipeline.Authenticator;
import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.problem.Problem;
import dev.piste.core.internal.problem.Problems;
import dev.piste.core.token.FileApiKeyStore;
import dev.piste.core.token.IntrospectionTokenVerifier;
import dev.piste.core.token.JwtTokenVerifier;
import dev.piste.token.ApiKeyStore;
import dev.piste.token.TokenFailure;
import dev.piste.token.TokenVerification;
import dev.piste.token.TokenVerifier;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication stage (RFC 6750 transport rules). It finds exactly one credential among the
 * kinds enabled by {@code piste.token.credentials}, looked at in that order:
 * <ul>
 *   <li>{@code bearer}: the {@code Authorization} header, scheme {@code Bearer} in any case, token
 *       in the RFC 6750 {@code b64token} syntax (checked here for a custom verifier, by the
 *       library's own verifiers after their verified-token cache); two {@code Authorization}
 *       headers are 400; an
 *       {@code access_token} query parameter is 400 unless {@code piste.token.allow-query-token};
 *       form-body tokens are never read;
 *   <li>{@code api-key}: the {@code piste.token.api-key-header} header (one).
 * </ul>
 * More than one credential is 400 {@code invalid_request}. Each is capped at {@code
 * piste.token.max-length} before any parsing. No credential: {@code null} (the pipeline answers
 * 401 {@code missing_credential} on protected operations). Invalid: 401 {@code invalid_token} with
 * the failure's fixed description. Key source or introspection down: 503.
 */
public final class TokenAuthenticator implements Authenticator, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);
  private static final long RETRY_AFTER_SECONDS = 5;

  private final String realm;
  private final TokenVerifier verifier;
  private final ApiKeyStore apiKeys;
  private final boolean bearerEnabled;
  private final boolean apiKeyEnabled;
  private final String apiKeyHeader;
  private final boolean allowQueryToken;
  private final long maxLength;
  /**
   * Whether the verifier is the library's own (JWT, introspection or both), which checks the
   * {@code b64token} syntax itself after its verified-token cache: a token identical to one it
   * verified is known well formed, so a cache hit skips the pass over the token. A custom verifier
   * gets only tokens this stage checked.
   */
  private final boolean verifierChecksSyntax;
  private final List<AutoCloseable> owned;

  public TokenAuthenticator(String realm, TokenVerifier verifier, ApiKeyStore apiKeys,
      PisteConfig config, List<AutoCloseable> owned) {
    this(realm, verifier, false, apiKeys, config, owned);
  }

  private TokenAuthenticator(String realm, TokenVerifier verifier, boolean verifierChecksSyntax,
      ApiKeyStore apiKeys, PisteConfig config, List<AutoCloseable> owned) {
    this.realm = realm;
    this.verifier = verifier;
    this.verifierChecksSyntax = verifierChecksSyntax;
    this.apiKeys = apiKeys;
    List<String> credentials = config.get(TokenKeys.CREDENTIALS);
    this.bearerEnabled = credentials.contains("bearer");
    this.apiKeyEnabled = credentials.contains("api-key");
    this.apiKeyHeader = config.get(TokenKeys.API_KEY_HEADER);
    this.allowQueryToken = config.get(TokenKeys.ALLOW_QUERY_TOKEN);
    this.maxLength = config.get(TokenKeys.MAX_LENGTH);
    this.owned = List.copyOf(owned);
  }

  /**
   * The stage for this configuration. The verifier is the given one, else JWT ({@code jwks-uri},
   * {@code jwk-file} or {@code hmac-secret}) then introspection ({@code introspection-uri}) for
   * tokens that are not JWT-shaped, or introspection alone for every token, else one that rejects
   * every token. The key store is the given one, else {@code api-key-file} (followed: read again
   * when it changes), else none.
   */
  public static TokenAuthenticator create(PisteConfig config, String realm,
      TokenVerifier customVerifier, ApiKeyStore customStore) {
    List<AutoCloseable> owned = new ArrayList<>();
    List<PisteConfigurationException.Problem> problems = new ArrayList<>();
    TokenVerifier verifier = customVerifier;
    boolean builtIn = false;
    if (verifier == null) {
      List<TokenVerifier> chain = new ArrayList<>();
      if (config.get(TokenKeys.JWKS_URI) != null || config.get(TokenKeys.JWK_FILE) != null
          || config.get(TokenKeys.HMAC_SECRET) != null) {
        try {
          JwtTokenVerifier jwt = JwtTokenVerifier.create(config);
          owned.add(jwt);
          chain.add(jwt);
        } catch (RuntimeException e) {
          problems.add(problem(config, e));
        }
      }
      if (config.get(TokenKeys.INTROSPECTION_URI) != null) {
        try {
          IntrospectionTokenVerifier in = IntrospectionTokenVerifier.create(config);
          owned.add(in);
          chain.add(in);
        } catch (RuntimeException e) {
          problems.add(new PisteConfigurationException.Problem(TokenKeys.INTROSPECTION_URI.name(),
              String.valueOf(config.get(TokenKeys.INTROSPECTION_URI)),
              "an https URI (http only for a loopback address)", null));
        }
      }
      builtIn = !chain.isEmpty();
      verifier = chain.isEmpty() ? TokenVerifier.rejectingAll()
          : chain.size() == 1 ? chain.get(0)
          : TokenVerifier.chain(chain.toArray(TokenVerifier[]::new));
    }
    ApiKeyStore store = customStore;
    if (store == null) {
      store = ApiKeyStore.none();
      if (config.get(TokenKeys.API_KEY_FILE) != null) {
        try {
          store = FileApiKeyStore.follow(config.get(TokenKeys.API_KEY_FILE), config.clock());
        } catch (IOException | RuntimeException e) {
          problems.add(new PisteConfigurationException.Problem(TokenKeys.API_KEY_FILE.name(),
              String.valueOf(config.get(TokenKeys.API_KEY_FILE)),
              "a readable API key file (" + (e instanceof IOException ? "cannot be read"
                  : e.getMessage()) + ")", null));
        }
      }
    }
    if (!problems.isEmpty()) {
      closeAll(owned);
      throw new PisteConfigurationException(problems);
    }
    return new TokenAuthenticator(realm, verifier, builtIn, store, config, owned);
  }

  private static PisteConfigurationException.Problem problem(PisteConfig config, RuntimeException e) {
    List<String> issuers = config.get(TokenKeys.ISSUER);
    if (issuers == null || issuers.isEmpty()) {
      return new PisteConfigurationException.Problem(TokenKeys.ISSUER.name(), null,
          "the accepted issuer(s), required to verify JWTs", null);
    }
    if (config.get(TokenKeys.JWKS_URI) != null) {
      return new PisteConfigurationException.Problem(TokenKeys.JWKS_URI.name(),
          String.valueOf(config.get(TokenKeys.JWKS_URI)),
          "an https URI (http only for a loopback address)", null);
    }
    return new PisteConfigurationException.Problem(TokenKeys.JWK_FILE.name(),
        String.valueOf(config.get(TokenKeys.JWK_FILE)),
        "a readable JWK set, JWK or PEM public key file", null);
  }

  @Override
  public Problem authenticate(Exchange ex) {
    PisteRequest req = ex.request();
    String bearer = null;
    int found = 0;
    if (bearerEnabled) {
      List<String> auth = req.headers("Authorization");
      if (auth.size() > 1) {
        return invalidRequest(ex, "multiple_authorization",
            "The request has more than one Authorization header.");
      }
      if (auth.size() == 1) {
        String h = auth.get(0);
        int sp = h.indexOf(' ');
        if (sp > 0 && h.regionMatches(true, 0, "Bearer", 0, 6) && sp == 6) {
          // another scheme (Basic) is no bearer credential, however long: the bare challenge
          if (h.length() > maxLength + 16) {
            return invalid(ex, TokenFailure.TOO_LONG);
          }
          // from after the space: strip() copies again only when more whitespace surrounds the token
          String token = h.substring(sp + 1).strip();
          if (token.isEmpty() || !verifierChecksSyntax && !TokenSyntax.b64token(token)) {
            return invalid(ex, TokenFailure.MALFORMED);
          }
          bearer = token;
          found++;
        } else if (h.strip().equalsIgnoreCase("Bearer")) {
          return invalid(ex, TokenFailure.MALFORMED);
        }
      }
      String query = req.query();
      if (query != null && query.contains("access_token")) {
        String q = queryToken(query);
        if (q != null) {
          if (deferredMalformed(bearer)) {
            return invalid(ex, TokenFailure.MALFORMED);
          }
          if (!allowQueryToken) {
            return invalidRequest(ex, "query_token",
                "Access tokens are not accepted in the query string.");
          }
          if (q.isEmpty() || q.length() > maxLength || !TokenSyntax.b64token(q)) {
            return invalid(ex, q.length() > maxLength ? TokenFailure.TOO_LONG : TokenFailure.MALFORMED);
          }
          if (bearer != null) {
            return invalidRequest(ex, "multiple_credentials",
                "The request carries more than one credential.");
          }
          bearer = q;
          found++;
        }
      }
    }
    String apiKey = null;
    if (apiKeyEnabled) {
      List<String> keys = req.headers(apiKeyHeader);
      if (keys.size() > 1) {
        if (deferredMalformed(bearer)) {
          return invalid(ex, TokenFailure.MALFORMED);
        }
        return invalidRequest(ex, "multiple_api_keys", "The request has more than one API key.");
      }
      if (keys.size() == 1) {
        apiKey = keys.get(0).strip();
        found++;
      }
    }
    if (found == 0) {
      return null;
    }
    if (found > 1) {
      if (deferredMalformed(bearer)) {
        return invalid(ex, TokenFailure.MALFORMED);
      }
      return invalidRequest(ex, "multiple_credentials",
          "The request carries more than one credential.");
    }
    return bearer != null ? verifyBearer(ex, bearer) : verifyApiKey(ex, apiKey);
  }

  /**
   * Whether a token whose syntax check was left to the verifier is outside the syntax: asked only
   * on the paths that answer before the verifier sees the token, so that they give the same answer
   * as when this stage checks every token first.
   */
  private boolean deferredMalformed(String token) {
    return token != null && verifierChecksSyntax && !TokenSyntax.b64token(token);
  }

  private Problem verifyBearer(Exchange ex, String token) {
    if (token.length() > maxLength) {
      return invalid(ex, deferredMalformed(token) ? TokenFailure.MALFORMED : TokenFailure.TOO_LONG);
    }
    TokenVerification v;
    try {
      v = verifier.verify(token);
    } catch (RuntimeException e) {
      LOG.warn("token verifier {} failed: {}", verifier.getClass().getName(), e.getClass().getName());
      return unavailable(ex, TokenFailure.KEYS_UNAVAILABLE);
    }
    return apply(ex, v);
  }

  private Problem verifyApiKey(Exchange ex, String key) {
    if (key.isEmpty() || key.length() > maxLength || !visibleAscii(key)) {
      return invalid(ex, key.length() > maxLength ? TokenFailure.TOO_LONG : TokenFailure.MALFORMED);
    }
    Optional<Caller> caller;
    try {
      caller = apiKeys.find(key);
    } catch (RuntimeException e) {
      LOG.warn("API key store {} failed: {}", apiKeys.getClass().getName(), e.getClass().getName());
      return unavailable(ex, TokenFailure.STORE_UNAVAILABLE);
    }
    if (caller == null || caller.isEmpty()) {
      return invalid(ex, TokenFailure.UNKNOWN_API_KEY);
    }
    ex.caller(caller.get());
    return null;
  }

  private Problem apply(Exchange ex, TokenVerification v) {
    if (v == null) {
      return invalid(ex, TokenFailure.MALFORMED);
    }
    switch (v.status()) {
      case VERIFIED:
        ex.caller(v.caller());
        return null;
      case UNAVAILABLE:
        return unavailable(ex, v.failure());
      case UNRECOGNIZED:
        return invalid(ex, TokenFailure.MALFORMED);
      default:
        return invalid(ex, v.failure());
    }
  }

  private Problem invalid(Exchange ex, TokenFailure f) {
    ex.outcome(Outcome.INVALID_TOKEN, f.code());
    return Problems.invalidToken(realm, f.description());
  }

  private Problem unavailable(Exchange ex, TokenFailure f) {
    ex.outcome(Outcome.UNAVAILABLE, f.code());
    return Problems.unavailable(f.description(), RETRY_AFTER_SECONDS);
  }

  private Problem invalidRequest(Exchange ex, String reason, String description) {
    ex.outcome(Outcome.INVALID_REQUEST, reason);
    return Problems.invalidRequest(realm, description);
  }

  /** The decoded {@code access_token} parameter, {@code ""} when present twice or undecodable. */
  private static String queryToken(String query) {
    String value = null;
    for (String part : query.split("&")) {
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      if (name.equals("access_token")) {
        if (value != null) {
          return "";
        }
        try {
          value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return "";
        }
      }
    }
    return value;
  }

  /** Whether every character is visible ASCII (%x21-7E): the form of API keys. */
  private static boolean visibleAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    closeAll(owned);
  }

  private static void closeAll(List<AutoCloseable> list) {
    for (AutoCloseable c : list) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.getClass().getName());
      }
    }
  }
}
