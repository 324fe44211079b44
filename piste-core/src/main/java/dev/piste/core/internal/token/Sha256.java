package dev.piste.core.internal.token;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of credentials: the only form in which a token or key is ever kept. */
public final class Sha256 {
  private Sha256() {}

  /** One digest per thread: {@code MessageDigest.getInstance} costs more than hashing a token. */
  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  });

  public static byte[] digest(String s) {
    MessageDigest md = DIGEST.get();
    md.reset();
    return md.digest(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A map key with content equality. */
  public static ByteBuffer key(String s) {
    return ByteBuffer.wrap(digest(s));
  }
}
