package dev.piste.token;

import dev.piste.Caller;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the owner of an API key. Implementations keep only hashes of keys, compare in constant
 * time, are thread-safe and never log a key. The default is {@code dev.piste.core.token.FileApiKeyStore}.
 */
@FunctionalInterface
public interface ApiKeyStore {

  /** The caller owning this key, or empty when the key is unknown. */
  Optional<Caller> find(String apiKey);

  /** Knows no key. */
  static ApiKeyStore none() {
    return key -> Optional.empty();
  }

  /**
   * An in-memory store of callers by the lower-case hex SHA-256 of their key's UTF-8 bytes. The
   * presented key is hashed, and the stored digest is compared with {@link MessageDigest#isEqual}.
   */
  static ApiKeyStore ofSha256(Map<String, Caller> callersByHexHash) {
    Map<String, Map.Entry<byte[], Caller>> copy = new HashMap<>();
    callersByHexHash.forEach((h, c) -> copy.put(h.toLowerCase(Locale.ROOT),
        Map.entry(HexFormat.of().parseHex(h), c)));
    return key -> {
      byte[] digest;
      try {
        digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      Map.Entry<byte[], Caller> e = copy.get(HexFormat.of().formatHex(digest));
      return e != null && MessageDigest.isEqual(e.getKey(), digest)
          ? Optional.of(e.getValue()) : Optional.empty();
    };
  }
}
