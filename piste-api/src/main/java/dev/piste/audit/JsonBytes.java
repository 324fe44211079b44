package dev.piste.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * A growable UTF-8 buffer for writing one JSON object, with the escaping of {@link AuditEvent}: the
 * quote, the backslash, control characters, DEL and the line and paragraph separators U+2028 and
 * U+2029 are escaped; every other character is written as itself, in UTF-8.
 *
 * <p>Strings are encoded by the JDK ({@code getBytes(UTF_8)}, a vectorized copy for ASCII text)
 * and then scanned as bytes against a table: no per-character calls into {@link String}.
 */
final class JsonBytes {

  /** What a byte needs: 0 nothing, 1 an escape, 2 a look at its sequence (0xE2 may start U+2028). */
  private static final byte[] CLASS = new byte[256];
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  static {
    for (int c = 0; c < 0x20; c++) {
      CLASS[c] = 1;
    }
    CLASS['"'] = 1;
    CLASS['\\'] = 1;
    CLASS[0x7f] = 1;
    CLASS[0xE2] = 2;
  }

  /**
   * The slots of the per-thread cache of {@link #shared}: the encoded (quoted, escaped) form of the
   * strings written last, by identity, direct-mapped. The values most events share (API, operation,
   * caller, outcome) are the same objects from one event to the next and are encoded once.
   */
  private static final int RECENT_SLOTS = 64;
  /** The buffer a thread keeps between events; a larger one, grown for a large event, is dropped. */
  private static final int KEPT_CAPACITY = 4096;
  private static final ThreadLocal<JsonBytes> PER_THREAD = ThreadLocal.withInitial(JsonBytes::new);

  private final Object[] recent = new Object[2 * RECENT_SLOTS];
  private byte[] buf = new byte[1024];
  private int len;
  private boolean inUse;
  /** The epoch day of {@link #date}, the {@code "yyyy-MM-ddT} of the last timestamp written. */
  private long day = Long.MIN_VALUE;
  private final byte[] date = new byte[12];

  private JsonBytes() {}

  /**
   * This thread's writer, empty; {@link #release} gives it back. A writer asked for while the
   * thread's own is in use (an event built while another is being written) is a new one.
   */
  static JsonBytes acquire() {
    JsonBytes j = PER_THREAD.get();
    if (j.inUse) {
      j = new JsonBytes();
    }
    j.inUse = true;
    j.len = 0;
    return j;
  }

  void release() {
    inUse = false;
    if (buf.length > KEPT_CAPACITY) {
      buf = new byte[1024];
    }
  }

  /**
   * A JSON string, like {@link #string}, for a value that is likely the very object of an earlier
   * event (a constant, or a field of a cached caller): its encoding is reused when it is.
   */
  JsonBytes shared(String s) {
    int slot = (System.identityHashCode(s) & (RECENT_SLOTS - 1)) << 1;
    if (recent[slot] == s) {
      return raw((byte[]) recent[slot + 1]);
    }
    int start = len;
    string(s);
    recent[slot] = s;
    recent[slot + 1] = Arrays.copyOfRange(buf, start, len);
    return this;
  }

  /** Bytes known to need no escaping (field names and punctuation written by the caller). */
  JsonBytes raw(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  JsonBytes raw(char c) {
    ensure(1);
    buf[len++] = (byte) c;
    return this;
  }

  /** A JSON string: quoted and escaped. */
  JsonBytes string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    ensure(b.length + 2);
    buf[len++] = '"';
    int start = 0;
    int n = b.length;
    for (int i = 0; i < n; i++) {
      int kind = CLASS[b[i] & 0xFF];
      if (kind == 0) {
        continue;
      }
      int c;
      if (kind == 2) {
        if (i + 2 >= n || b[i + 1] != (byte) 0x80 || (b[i + 2] != (byte) 0xA8 && b[i + 2] != (byte) 0xA9)) {
          continue;
        }
        c = b[i + 2] == (byte) 0xA8 ? 0x2028 : 0x2029;
      } else {
        c = b[i];
      }
      copy(b, start, i);
      start = i + (kind == 2 ? 3 : 1);
      i = start - 1;
      escape(c);
    }
    copy(b, start, n);
    ensure(1);
    buf[len++] = '"';
    return this;
  }

  private void copy(byte[] b, int from, int to) {
    int n = to - from;
    if (n > 0) {
      ensure(n);
      System.arraycopy(b, from, buf, len, n);
      len += n;
    }
  }

  private void escape(int c) {
    ensure(6);
    buf[len++] = '\\';
    switch (c) {
      case '"' -> buf[len++] = '"';
      case '\\' -> buf[len++] = '\\';
      case '\n' -> buf[len++] = 'n';
      case '\r' -> buf[len++] = 'r';
      case '\t' -> buf[len++] = 't';
      default -> {
        buf[len++] = 'u';
        buf[len++] = HEX[(c >> 12) & 0xF];
        buf[len++] = HEX[(c >> 8) & 0xF];
        buf[len++] = HEX[(c >> 4) & 0xF];
        buf[len++] = HEX[c & 0xF];
      }
    }
  }

  /** A decimal number. */
  JsonBytes number(long v) {
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        return raw(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
      }
      raw('-');
      v = -v;
    }
    int digits = 1;
    for (long p = 10; digits < 19 && v >= p; p *= 10) {
      digits++;
    }
    ensure(digits);
    for (int i = len + digits - 1; i >= len; i--) {
      buf[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    len += digits;
    return this;
  }

  /**
   * A quoted UTC timestamp with milliseconds, {@code "2026-11-28T09:15:02.042Z"}, as {@code
   * formatter} (the pattern {@code uuuu-MM-dd'T'HH:mm:ss.SSS'Z'}) writes it; years outside 0..9999
   * are left to the formatter.
   */
  JsonBytes timestamp(Instant t, DateTimeFormatter formatter) {
    long seconds = t.getEpochSecond();
    long epochDay = Math.floorDiv(seconds, 86_400);
    int secondOfDay = Math.floorMod(seconds, 86_400);
    if (epochDay != day) {
      LocalDate d = LocalDate.ofEpochDay(epochDay);
      int year = d.getYear();
      if (year < 0 || year > 9999) {
        return raw('"').raw(formatter.format(t).getBytes(StandardCharsets.US_ASCII)).raw('"');
      }
      // "yyyy-MM-ddT, computed once a day: LocalDate.ofEpochDay costs more than the rest
      date[0] = '"';
      put(date, 1, year, 4);
      date[5] = '-';
      put(date, 6, d.getMonthValue(), 2);
      date[8] = '-';
      put(date, 9, d.getDayOfMonth(), 2);
      date[11] = 'T';
      day = epochDay;
    }
    ensure(26);
    System.arraycopy(date, 0, buf, len, date.length);
    len += date.length;
    digits(secondOfDay / 3600, 2);
    buf[len++] = ':';
    digits(secondOfDay / 60 % 60, 2);
    buf[len++] = ':';
    digits(secondOfDay % 60, 2);
    buf[len++] = '.';
    digits(t.getNano() / 1_000_000, 3);
    buf[len++] = 'Z';
    buf[len++] = '"';
    return this;
  }

  private void digits(int v, int width) {
    put(buf, len, v, width);
    len += width;
  }

  private static void put(byte[] out, int at, int v, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }
}
