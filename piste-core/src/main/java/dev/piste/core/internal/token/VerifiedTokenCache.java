package dev.piste.core.internal.token;

import dev.piste.token.TokenVerification;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bounded cache of answers by the SHA-256 of the token (never the token itself). Each entry
 * expires at the instant given when it was put, which the callers set no later than the token's
 * {@code exp}; an entry also carries a generation (the key set it was verified against) and is
 * ignored once the generation changed, unless it is {@link #ANY_GENERATION}. When full, expired
 * entries are purged, then arbitrary ones.
 */
public final class VerifiedTokenCache {

  /**
   * The generation of an answer that depends on no key set (an HS256 token, verified with the
   * configured secret): it matches whatever generation it is looked up with, {@link
   * KeySource#UNUSABLE} included, so that no change or staleness of the key set evicts it.
   */
  public static final long ANY_GENERATION = Long.MIN_VALUE;

  private record Entry(TokenVerification value, long expiresAtMillis, long generation) {}

  private final ConcurrentHashMap<Sha256.Key, Entry> map = new ConcurrentHashMap<>();
  private final int maxSize;
  private final Clock clock;

  public VerifiedTokenCache(int maxSize, Clock clock) {
    this.maxSize = maxSize;
    this.clock = clock;
  }

  /** The cached answer for this token hash, or {@code null}. */
  public TokenVerification get(Sha256.Key hash, long generation) {
    Entry e = map.get(hash);
    if (e == null) {
      return null;
    }
    if (e.expiresAtMillis <= clock.millis()
        || (e.generation != generation && e.generation != ANY_GENERATION)) {
      map.remove(hash, e);
      return null;
    }
    return e.value;
  }

  public void put(Sha256.Key hash, TokenVerification value, long expiresAtMillis, long generation) {
    long now = clock.millis();
    if (expiresAtMillis <= now) {
      return;
    }
    if (map.size() >= maxSize) {
      evict(now);
    }
    map.put(hash, new Entry(value, expiresAtMillis, generation));
  }

  public int size() {
    return map.size();
  }

  private void evict(long now) {
    map.values().removeIf(e -> e.expiresAtMillis <= now);
    Iterator<Map.Entry<Sha256.Key, Entry>> it = map.entrySet().iterator();
    int excess = map.size() - maxSize + Math.max(1, maxSize / 16);
    while (excess-- > 0 && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
