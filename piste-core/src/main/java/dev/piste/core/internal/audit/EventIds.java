package dev.piste.core.internal.audit;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Event ids in UUID form, unique without a {@link SecureRandom} call per event: 60 random bits
 * drawn once per process, then a counter. Two processes collide only if their 60 random bits do.
 *
 * <p>Each thread takes the counter in blocks of {@link #BLOCK}, so that request threads on
 * different cores do not contend for one counter on every event.
 */
final class EventIds {

  static final int BLOCK = 1024;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private final long high;
  private final AtomicLong counter = new AtomicLong();
  /** Per thread: the next value and the end of its block. */
  private final ThreadLocal<long[]> block = ThreadLocal.withInitial(() -> new long[2]);

  EventIds() {
    long r = new SecureRandom().nextLong();
    this.high = (r & 0xFFFFFFFFFFFF0FFFL) | 0x0000000000004000L;
    this.counter.set(new SecureRandom().nextLong() & 0x0000FFFFFFFFFFFFL);
  }

  String next() {
    long[] b = block.get();
    if (b[0] == b[1]) {
      b[0] = counter.getAndAdd(BLOCK);
      b[1] = b[0] + BLOCK;
    }
    long low = (b[0]++ & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    byte[] c = new byte[36];
    hex(c, 0, high >>> 32, 8);
    c[8] = '-';
    hex(c, 9, high >>> 16, 4);
    c[13] = '-';
    hex(c, 14, high, 4);
    c[18] = '-';
    hex(c, 19, low >>> 48, 4);
    c[23] = '-';
    hex(c, 24, low, 12);
    return new String(c, StandardCharsets.ISO_8859_1);
  }

  private static void hex(byte[] out, int at, long v, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      out[at + i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
  }
}
