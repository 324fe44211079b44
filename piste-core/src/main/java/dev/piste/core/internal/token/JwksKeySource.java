package dev.piste.core.internal.token;

import dev.piste.token.TokenFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jose4j.jwk.PublicJsonWebKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys from a JWKS endpoint, hardened where jose4j's {@code HttpsJwks} is not (SECURITY-BASELINE 6):
 * <ul>
 *   <li>https only (http for loopback), no redirects, short timeouts, at most one retry, a size cap;
 *   <li>the cache life is the endpoint's {@code Cache-Control: max-age} or {@code Expires}, clamped
 *       to [min, max];
 *   <li>once keys are known, no request waits on a refresh: an expired set keeps serving while one
 *       background refresh runs, and keeps serving through failures for at most {@code
 *       maxStaleness} past its expiry, and tokens verified against it stay in the verified-token
 *       cache no longer than that ({@link #generation()});
 *   <li>an unknown {@code kid} triggers at most one refresh per {@code refreshMinInterval}, single
 *       flight, however many such tokens arrive, and only the request that triggers it waits;
 *       within the interval an unknown {@code kid} is {@link TokenFailure#UNKNOWN_KEY} (401) only
 *       when the keys are the outcome of the latest refresh, and {@link
 *       TokenFailure#KEYS_UNAVAILABLE} (503) while a refresh is under way or after one failed:
 *       whether its key exists cannot be known;
 *   <li>no key can be had because the endpoint fails: {@link TokenFailure#KEYS_UNAVAILABLE} (503).
 * </ul>
 */
public final class JwksKeySource implements KeySource {

  private static final Logger LOG = LoggerFactory.getLogger(JwksKeySource.class);
  private static final Pattern MAX_AGE = Pattern.compile("(?:^|[,\\s])max-age\\s*=\\s*(\\d{1,10})");

  /**
   * Keys as fetched. {@code fingerprint} identifies what verification depends on (each key's id,
   * algorithm, use and public key): a refresh that brings the same keys keeps the generation, so
   * tokens verified against them stay in the verified-token cache.
   */
  private record KeySet(List<PublicJsonWebKey> keys, long expiresAt, long generation,
      Set<String> fingerprint) {}

  private static Set<String> fingerprint(List<PublicJsonWebKey> keys) {
    Set<String> out = new HashSet<>();
    Base64.Encoder b64 = Base64.getEncoder();
    for (PublicJsonWebKey k : keys) {
      out.add(k.getKeyId() + "|" + k.getAlgorithm() + "|" + k.getUse() + "|"
          + b64.encodeToString(k.getPublicKey().getEncoded()));
    }
    return Set.copyOf(out);
  }

  private final URI uri;
  private final Clock clock;
  private final HttpFetcher http;
  private final Duration timeout;
  private final long cacheMin;
  private final long cacheMax;
  private final long refreshMinInterval;
  private final long maxStaleness;
  private final long failureBackoff;
  /**
   * A refresh claimed for an unknown kid (or for want of keys): when, and its outcome, which exists
   * from the claim on, so that no request sees the claim without seeing that it is under way.
   */
  private record Claim(long at, CompletableFuture<KeySet> outcome) {}

  private volatile KeySet current;
  private final AtomicReference<CompletableFuture<KeySet>> inflight = new AtomicReference<>();
  private final AtomicReference<Claim> lastClaim = new AtomicReference<>(
      new Claim(Long.MIN_VALUE / 2, CompletableFuture.completedFuture(null)));
  private volatile long lastFailure = Long.MIN_VALUE / 2;
  private volatile boolean lastRefreshFailed;
  private final AtomicLong generations = new AtomicLong();

  public JwksKeySource(URI uri, Clock clock, Duration timeout, long maxBytes, Duration cacheMin,
      Duration cacheMax, Duration refreshMinInterval, Duration maxStaleness) {
    if (!HttpFetcher.allowed(uri)) {
      throw new IllegalArgumentException("JWKS URI must be https (http only for loopback)");
    }
    this.uri = uri;
    this.clock = clock;
    this.timeout = timeout;
    this.http = new HttpFetcher(timeout, maxBytes, "piste-jwks");
    this.cacheMin = cacheMin.toMillis();
    this.cacheMax = Math.max(cacheMax.toMillis(), this.cacheMin);
    this.refreshMinInterval = refreshMinInterval.toMillis();
    this.maxStaleness = maxStaleness.toMillis();
    this.failureBackoff = Math.min(this.refreshMinInterval, 5_000);
  }

  /**
   * The current set's generation; {@link KeySource#UNUSABLE} past its expiry plus the staleness
   * bound, so that tokens verified against it are no longer served from the cache once new ones
   * are refused for want of keys.
   */
  @Override
  public long generation() {
    KeySet ks = current;
    if (ks == null) {
      return UNUSABLE;
    }
    long now = clock.millis();
    if (now >= ks.expiresAt) {
      if (now >= ks.expiresAt + maxStaleness) {
        return UNUSABLE;
      }
      refreshInBackground(now);
    }
    return ks.generation;
  }

  @Override
  public Lookup lookup(String kid, String alg) {
    long now = clock.millis();
    KeySet ks = current;
    if (ks == null || now >= ks.expiresAt + maxStaleness) {
      ks = awaitRefresh(now);
      if (ks == null) {
        return Lookup.failed(TokenFailure.KEYS_UNAVAILABLE);
      }
    } else if (now >= ks.expiresAt) {
      refreshInBackground(now);
    }
    PublicJsonWebKey k = JwkSets.select(ks.keys, kid, alg);
    if (k != null) {
      return Lookup.of(k.getKey());
    }
    if (kid == null || JwkSets.hasKid(ks.keys, kid)) {
      return Lookup.failed(TokenFailure.UNKNOWN_KEY);
    }
    // unknown kid: at most one refresh per interval, and only the request that claims it waits
    Claim last = lastClaim.get();
    if (now - last.at() >= refreshMinInterval) {
      Claim mine = new Claim(now, new CompletableFuture<>());
      if (lastClaim.compareAndSet(last, mine)) {
        KeySet fresh = await(refresh(mine));
        if (fresh == null) {
          // the endpoint is down: whether the key exists cannot be known (503, not 401)
          return Lookup.failed(TokenFailure.KEYS_UNAVAILABLE);
        }
        k = JwkSets.select(fresh.keys, kid, alg);
        return k != null ? Lookup.of(k.getKey()) : Lookup.failed(TokenFailure.UNKNOWN_KEY);
      }
      last = lastClaim.get();
    }
    // within the interval: unknown only to keys that are the outcome of the latest refresh; while
    // one is under way, or after one failed, it cannot be known (503, not 401)
    if (!last.outcome().isDone() || inflight.get() != null || lastRefreshFailed) {
      return Lookup.failed(TokenFailure.KEYS_UNAVAILABLE);
    }
    KeySet latest = current;
    k = latest != ks ? JwkSets.select(latest.keys, kid, alg) : null;
    return k != null ? Lookup.of(k.getKey()) : Lookup.failed(TokenFailure.UNKNOWN_KEY);
  }

  /** No usable keys: fetch (single flight) and wait, unless a fetch failed just before. */
  private KeySet awaitRefresh(long now) {
    CompletableFuture<KeySet> f = inflight.get();
    if (f == null) {
      if (now - lastFailure < failureBackoff) {
        return null;
      }
      Claim mine = new Claim(now, new CompletableFuture<>());
      lastClaim.set(mine);
      f = refresh(mine);
    }
    KeySet ks = await(f);
    return ks != null && now < ks.expiresAt + maxStaleness ? ks : null;
  }

  private void refreshInBackground(long now) {
    if (inflight.get() == null && now - lastFailure >= failureBackoff) {
      startRefresh();
    }
  }

  /** Starts or joins a refresh on behalf of this claim, whose outcome becomes the refresh's. */
  private CompletableFuture<KeySet> refresh(Claim claim) {
    startRefresh().whenComplete((ks, error) -> {
      if (error != null) {
        claim.outcome().completeExceptionally(error);
      } else {
        claim.outcome().complete(ks);
      }
    });
    return claim.outcome();
  }

  private KeySet await(CompletableFuture<KeySet> f) {
    try {
      return f.get(timeout.toMillis() * 5, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null;
    }
  }

  private CompletableFuture<KeySet> startRefresh() {
    CompletableFuture<KeySet> mine = new CompletableFuture<>();
    if (!inflight.compareAndSet(null, mine)) {
      CompletableFuture<KeySet> other = inflight.get();
      return other != null ? other : CompletableFuture.completedFuture(current);
    }
    fetch(true).whenComplete((ks, error) -> {
      if (error != null) {
        lastFailure = clock.millis();
        lastRefreshFailed = true;
        KeySet old = current;
        LOG.warn("JWKS refresh from {} failed ({}); {}", uri, describe(error),
            old != null ? "the previous keys keep serving within the staleness bound"
                : "no keys are available: tokens are answered 503");
        inflight.set(null);
        mine.completeExceptionally(error);
      } else {
        current = ks;
        lastRefreshFailed = false;
        inflight.set(null);
        mine.complete(ks);
      }
    });
    return mine;
  }

  private CompletableFuture<KeySet> fetch(boolean mayRetry) {
    HttpRequest.Builder req = HttpRequest.newBuilder(uri).GET()
        .header("Accept", "application/jwk-set+json, application/json");
    return http.send(req).thenApply(r -> {
      if (r.status() != 200) {
        throw new java.util.concurrent.CompletionException(
            new IOException("JWKS endpoint answered HTTP " + r.status()));
      }
      try {
        List<PublicJsonWebKey> keys = JwkSets.parse(r.body(), uri.toString());
        if (keys.isEmpty()) {
          // an empty set, or one of encryption, private or short keys only, is the issuer's
          // mistake: a failed refresh (the previous keys keep serving), not a rotation to nothing
          throw new IOException("the JWK set holds no usable signing key");
        }
        long now = clock.millis();
        long ttl = Math.min(cacheMax, Math.max(cacheMin, cacheLife(r, now)));
        Set<String> fp = fingerprint(keys);
        KeySet old = current;
        long generation = old != null && old.fingerprint().equals(fp) ? old.generation()
            : generations.incrementAndGet();
        return new KeySet(keys, now + ttl, generation, fp);
      } catch (IOException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }).exceptionallyCompose(e -> {
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
          ? e.getCause() : e;
      if (mayRetry && cause instanceof java.net.ConnectException) {
        return fetch(false);
      }
      return CompletableFuture.failedFuture(cause);
    });
  }

  /** max-age, else Expires minus now, else the maximum. */
  private long cacheLife(HttpFetcher.Response r, long now) {
    Optional<String> cc = r.raw().headers().firstValue("Cache-Control");
    if (cc.isPresent()) {
      String v = cc.get().toLowerCase(java.util.Locale.ROOT);
      if (v.contains("no-store") || v.contains("no-cache")) {
        return 0;
      }
      Matcher m = MAX_AGE.matcher(v);
      if (m.find()) {
        return Long.parseLong(m.group(1)) * 1000;
      }
    }
    Optional<String> expires = r.raw().headers().firstValue("Expires");
    if (expires.isPresent()) {
      try {
        return ZonedDateTime.parse(expires.get(), DateTimeFormatter.RFC_1123_DATE_TIME)
            .toInstant().toEpochMilli() - now;
      } catch (Exception e) {
        return 0;
      }
    }
    return cacheMax;
  }

  private static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t != t.getCause()) {
      t = t.getCause();
    }
    String msg = t.getMessage();
    return t.getClass().getSimpleName() + (msg != null && msg.length() < 120 ? ": " + msg : "");
  }

  @Override
  public void close() {
    http.close();
  }
}
