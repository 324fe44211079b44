package dev.piste.core.internal.pipeline;

import dev.piste.PisteRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request and trace identity of one request: the {@code X-Request-Id} (accepted when well formed,
 * else generated) and the W3C {@code traceparent} (accepted when valid; a child span id is
 * generated for this hop).
 *
 * @param requestId the request id echoed in {@code X-Request-Id}
 * @param traceId 32 lower-case hex digits
 * @param parentSpanId the caller's span id, or {@code null} when no valid traceparent came in
 * @param spanId this hop's span id, 16 lower-case hex digits
 * @param sampled the sampled flag to propagate
 */
public record Correlation(String requestId, String traceId, String parentSpanId, String spanId,
    boolean sampled) {

  public static final String REQUEST_ID_HEADER = "X-Request-Id";
  public static final String TRACEPARENT_HEADER = "traceparent";
  private static final int MAX_REQUEST_ID = 128;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** The correlation of an incoming request. */
  public static Correlation of(PisteRequest request) {
    String requestId = request.header(REQUEST_ID_HEADER);
    if (!validRequestId(requestId)) {
      requestId = null;
    }
    String traceId = null;
    String parent = null;
    boolean sampled = false;
    String tp = request.header(TRACEPARENT_HEADER);
    if (tp != null && tp.length() == 55 && tp.startsWith("00-") && tp.charAt(35) == '-'
        && tp.charAt(52) == '-') {
      String t = tp.substring(3, 35);
      String p = tp.substring(36, 52);
      String f = tp.substring(53);
      if (hex(t) && hex(p) && hex(f) && !zero(t) && !zero(p)) {
        traceId = t;
        parent = p;
        sampled = (Integer.parseInt(f, 16) & 1) == 1;
      }
    }
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long span = nonZero(r.nextLong());
    String spanId = hex(span);
    if (traceId == null) {
      long high = r.nextLong();
      long low = high == 0 ? nonZero(r.nextLong()) : r.nextLong();
      traceId = hex(high, low);
      if (requestId == null) {
        requestId = hex(high, span);
      }
    } else if (requestId == null) {
      requestId = traceId.substring(0, 16).concat(spanId);
    }
    return new Correlation(requestId, traceId, parent, spanId, sampled);
  }

  /** The {@code traceparent} to send on calls made for this request (this hop as parent). */
  public String traceparent() {
    return "00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00");
  }

  static boolean validRequestId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_REQUEST_ID) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == ':';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean hex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean zero(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  private static long nonZero(long v) {
    return v == 0 ? 1 : v;
  }

  /** 16 lower-case hex digits. */
  private static String hex(long v) {
    byte[] out = new byte[16];
    hex(out, 0, v);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /** 32 lower-case hex digits. */
  private static String hex(long high, long low) {
    byte[] out = new byte[32];
    hex(out, 0, high);
    hex(out, 16, low);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  private static void hex(byte[] out, int at, long v) {
    for (int i = at + 15; i >= at; i--) {
      out[i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
  }
}
