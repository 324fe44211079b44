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

  /** One encoding buffer per thread, so that hashing an ASCII token copies it no further. */
  private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[2048]);
  private static final int MAX_BUFFER = 16 * 1024;

  public static byte[] digest(String s) {
    MessageDigest md = DIGEST.get();
    md.reset();
    int n = s.length();
    if (n <= MAX_BUFFER) {
      byte[] buf = BUFFER.get();
      if (buf.length < n) {
        buf = new byte[Math.max(n, buf.length * 2)];
        BUFFER.set(buf);
      }
      int i = 0;
      for (; i < n; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          break;
        }
        buf[i] = (byte) c;
      }
      if (i == n) {
        md.update(buf, 0, n);
        return md.digest();
      }
    }
    return md.digest(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A map key with content equality. */
  public static ByteBuffer key(String s) {
    return ByteBuffer.wrap(digest(s));
  }
}
