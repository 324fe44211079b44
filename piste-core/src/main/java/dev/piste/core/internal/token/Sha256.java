package dev.piste.core.internal.token;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of credentials: the only form in which a token or key is ever kept. */
public final class Sha256 {
  private Sha256() {}

  public static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** A map key with content equality. */
  public static ByteBuffer key(String s) {
    return ByteBuffer.wrap(digest(s));
  }
}
