package dev.piste.core.internal.token;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of credentials: the only form in which a token or key is ever kept. It also names the
 * bucket of a rate-limit key too long for a shared store, so its output must not change between
 * versions.
 */
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

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** The digest of the UTF-8 bytes ({@code digest} resets the per-thread instance when done). */
  public static byte[] digest(String s) {
    return DIGEST.get().digest(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The digest as a map key: four longs, compared and hashed without a byte loop. */
  public static Key key(String s) {
    byte[] d = digest(s);
    return new Key((long) LONGS.get(d, 0), (long) LONGS.get(d, 8), (long) LONGS.get(d, 16),
        (long) LONGS.get(d, 24));
  }

  /**
   * A SHA-256 digest as four big-endian longs. {@code equals} and {@code hashCode} are written out:
   * a record's generated ones are bootstrapped method handles, which the JIT does not always inline
   * into a map lookup on the request path.
   */
  public record Key(long a, long b, long c, long d) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && a == k.a && b == k.b && c == k.c && d == k.d;
    }

    @Override
    public int hashCode() {
      // the digest's bits are uniformly distributed: any 32 of them make a good hash
      return (int) (a ^ (a >>> 32));
    }
  }
}
