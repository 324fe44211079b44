package dev.piste.core.internal.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.config.AuditKeys;
import dev.piste.core.internal.pipeline.Exchange;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Bounded, redacted capture of request bodies for audit events ({@code piste.audit.body.*}), off
 * by default. The adapters ask the {@link Policy} once per request whether to capture (by content
 * type), feed the bytes the application reads to the {@link BodyCapture}, and call {@link
 * #finish(Exchange)} before completing the exchange.
 *
 * <p>JSON bodies are re-written token by token with the value of every configured field
 * ({@code piste.audit.redact-body-fields}, case-insensitive, at any depth) replaced by
 * {@code "***"}; a body cut at the maximum size keeps its complete tokens only, so a value cut in
 * the middle is never written, and a body that is not JSON, cut or not, is not written at all.
 * Form bodies ({@code application/x-www-form-urlencoded}) are redacted by parameter name ({@code
 * password[0]} and {@code user[password]} count as {@code password}). Other configured content
 * types are kept as text, unless they open (after a byte-order mark, if any) with a JSON object or
 * array: those are redacted as JSON.
 *
 * <p>Forms are read from their bytes as a servlet container reads them ({@link #redactedForm}).
 * Text bodies are read in the {@code charset} of their content type (UTF-8 when it names none), or
 * in the encoding their UTF-8 or UTF-16 byte-order mark gives. A body whose
 * content type names another charset than UTF-8, US-ASCII, ISO-8859-1, windows-1252 and UTF-16
 * (or an alias of one), or whose text holds a NUL character (UTF-16 or UTF-32 read as another
 * encoding, or binary data), is not written: its field names could not be read, so its values
 * could not be redacted.
 */
public final class BodyCapture {

  static final String MASK = "***";
  private static final JsonFactory JSON = new JsonFactory();

  private final byte[] buf;
  private final Kind kind;
  private final Charset charset;
  private final Set<String> redacted;
  private int length;
  private boolean truncated;

  private enum Kind { JSON, FORM, TEXT }

  /**
   * Ends of normalised names that always hold a credential, whatever comes before them: {@code
   * newPassword}, {@code client_secret}, {@code csrfToken}, {@code x-api-key}.
   */
  static final List<String> CREDENTIAL_SUFFIXES = List.of("password", "passwd", "passphrase",
      "secret", "token", "apikey");

  private BodyCapture(int max, Kind kind, Charset charset, Set<String> redacted) {
    this.buf = new byte[max];
    this.kind = kind;
    this.charset = charset;
    this.redacted = redacted;
  }

  /** Which bodies are captured; one per engine, built from the configuration. */
  public static final class Policy {
    private final boolean enabled;
    private final int maxSize;
    private final List<String> contentTypes;
    private final Set<String> redacted;

    private Policy(PisteConfig config) {
      this.enabled = config.get(AuditKeys.BODY_CAPTURE);
      this.maxSize = (int) Math.min(Integer.MAX_VALUE - 8, config.get(AuditKeys.BODY_MAX_SIZE));
      this.contentTypes = config.get(AuditKeys.BODY_CONTENT_TYPES).stream()
          .map(t -> t.toLowerCase(Locale.ROOT)).toList();
      Set<String> r = new HashSet<>(AuditPipeline.ALWAYS_REDACTED);
      config.get(AuditKeys.REDACT_FIELDS).forEach(f -> r.add(normalisedName(f)));
      this.redacted = Set.copyOf(r);
    }

    public static Policy of(PisteConfig config) {
      return new Policy(config);
    }

    public boolean enabled() {
      return enabled;
    }

    /** A capture for a request of this content type, or {@code null} when none is wanted. */
    public BodyCapture start(String contentType) {
      if (!enabled || contentType == null) {
        return null;
      }
      String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      boolean allowed = false;
      for (String t : contentTypes) {
        if (t.equals(media) || (t.endsWith("/*") && media.startsWith(t.substring(0, t.length() - 1)))) {
          allowed = true;
          break;
        }
      }
      if (!allowed) {
        return null;
      }
      Kind kind = media.equals("application/json") || media.endsWith("+json") ? Kind.JSON
          : media.equals("application/x-www-form-urlencoded") ? Kind.FORM : Kind.TEXT;
      Charset charset = charset(contentType);
      if (charset == null) {
        // text in another encoding than those known here: its credentials could not be found
        return null;
      }
      return new BodyCapture(maxSize, kind, charset, redacted);
    }
  }

  /**
   * The charsets a body is read in, by lower-case name and alias: those every JVM has, looked up
   * in a map built once. A name the request chose is never handed to {@code Charset.forName},
   * whose misses search the class path for charset providers on every call.
   */
  private static final Map<String, Charset> CHARSETS = knownCharsets();

  private static Map<String, Charset> knownCharsets() {
    Map<String, Charset> m = new HashMap<>();
    for (Charset c : List.of(StandardCharsets.UTF_8, StandardCharsets.US_ASCII,
        StandardCharsets.ISO_8859_1, StandardCharsets.UTF_16, StandardCharsets.UTF_16BE,
        StandardCharsets.UTF_16LE, Charset.forName("windows-1252"))) {
      m.put(c.name().toLowerCase(Locale.ROOT), c);
      c.aliases().forEach(a -> m.put(a.toLowerCase(Locale.ROOT), c));
    }
    return Map.copyOf(m);
  }

  /**
   * The {@code charset} parameter of a content type, UTF-8 when there is none, {@code null} when
   * it names another charset than UTF-8, US-ASCII, ISO-8859-1, windows-1252 and UTF-16.
   */
  static Charset charset(String contentType) {
    int semi = contentType.indexOf(';');
    while (semi >= 0) {
      int next = contentType.indexOf(';', semi + 1);
      String param = contentType.substring(semi + 1, next < 0 ? contentType.length() : next).trim();
      int eq = param.indexOf('=');
      if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("charset")) {
        String name = param.substring(eq + 1).trim();
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
          name = name.substring(1, name.length() - 1);
        }
        return CHARSETS.get(name.toLowerCase(Locale.ROOT));
      }
      semi = next;
    }
    return StandardCharsets.UTF_8;
  }

  public void write(int b) {
    if (length < buf.length) {
      buf[length++] = (byte) b;
    } else {
      truncated = true;
    }
  }

  public void write(byte[] b, int off, int len) {
    int n = Math.min(len, buf.length - length);
    if (n > 0) {
      System.arraycopy(b, off, buf, length, n);
      length += n;
    }
    if (n < len) {
      truncated = true;
    }
  }

  /** Hands the redacted body to the exchange's audit event. */
  public void finish(Exchange exchange) {
    exchange.requestBody(redacted(), truncated);
  }

  /**
   * The captured body, redacted, or {@code null} when it is not to be written (not JSON, or text
   * that cannot be read).
   */
  public String redacted() {
    if (kind == Kind.JSON) {
      // JSON is UTF-8 (RFC 8259); Jackson also reads UTF-16 and UTF-32 by their first bytes
      return redactJson(buf, length, truncated, redacted);
    }
    if (kind == Kind.FORM) {
      return redactedForm();
    }
    if (looksLikeJson(buf, length)) {
      // JSON sent as another content type is still JSON: its credentials are never written
      return redactJson(buf, length, truncated, redacted);
    }
    String text = text();
    if (text == null) {
      return null;
    }
    if (looksLikeJson(text)) {
      // JSON in an encoding whose first byte is not its first character (UTF-16BE, a mark)
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      return redactJson(utf8, utf8.length, truncated, redacted);
    }
    return text;
  }

  /**
   * Whether the first byte that is not white space, after a UTF-8 byte-order mark if there is one,
   * opens a JSON object or array.
   */
  private static boolean looksLikeJson(byte[] body, int length) {
    for (int i = bomLength(body, length); i < length; i++) {
      byte b = body[i];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return b == '{' || b == '[';
      }
    }
    return false;
  }

  /** The encoding of the captured bytes: their byte-order mark's, else the declared charset. */
  private Charset encoding() {
    if (bomLength(buf, length) == 3) {
      return StandardCharsets.UTF_8;
    }
    if (isUtf16(buf, length)) {
      return buf[0] == (byte) 0xFE ? StandardCharsets.UTF_16BE : StandardCharsets.UTF_16LE;
    }
    return charset;
  }

  /**
   * The captured bytes as text, in their {@link #encoding()}, without a byte-order mark; {@code
   * null} when the text holds a NUL character, which readable text in the right encoding does not.
   */
  private String text() {
    int mark = bomLength(buf, length) == 3 ? 3 : isUtf16(buf, length) ? 2 : 0;
    String text = new String(buf, mark, length - mark, encoding());
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      // the mark read by the declared encoding itself
      text = text.substring(1);
    }
    return text.indexOf('\u0000') >= 0 ? null : text;
  }

  /** Whether the body opens with a UTF-16 byte-order mark (FE FF or FF FE). */
  private static boolean isUtf16(byte[] body, int length) {
    return length >= 2 && ((body[0] == (byte) 0xFE && body[1] == (byte) 0xFF)
        || (body[0] == (byte) 0xFF && body[1] == (byte) 0xFE));
  }

  /** Whether the first character that is not white space opens a JSON object or array. */
  private static boolean looksLikeJson(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return c == '{' || c == '[';
      }
    }
    return false;
  }

  /** 3 when the body opens with the UTF-8 byte-order mark (EF BB BF), 0 otherwise. */
  private static int bomLength(byte[] body, int length) {
    return length >= 3 && body[0] == (byte) 0xEF && body[1] == (byte) 0xBB && body[2] == (byte) 0xBF
        ? 3 : 0;
  }

  public boolean truncated() {
    return truncated;
  }

  /**
   * Copies JSON token by token, masking redacted fields. A body cut at the maximum size ({@code
   * truncated}) is read by Jackson's non-blocking parser, which tells input that stops at the cut
   * from input that is wrong: it keeps its complete tokens, up to the one the cut went through (a
   * final number that runs to the cut is dropped too, its digits may go on); a syntax error before
   * the cut gives {@code null}. A body that was not cut and does not parse gives {@code null} as
   * well: it is not written. A leading UTF-8 byte-order mark is skipped, in every content type
   * alike, rather than left to the parser.
   */
  static String redactJson(byte[] body, int length, boolean truncated, Set<String> redacted) {
    int start = bomLength(body, length);
    StringWriter out = new StringWriter(length + 16);
    try (JsonGenerator g = JSON.createGenerator(out);
        JsonParser p = parser(body, start, length, truncated)) {
      boolean pendingName = false;
      JsonToken t;
      while ((t = p.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
        if (t == JsonToken.FIELD_NAME
            && redactedName(p.currentName(), redacted)) {
          g.writeFieldName(p.currentName());
          g.writeString(MASK);
          if (!skipValue(p)) {
            // cut inside the value: none of it is written
            break;
          }
        } else {
          g.copyCurrentEvent(p);
          pendingName = t == JsonToken.FIELD_NAME;
        }
      }
      if (pendingName) {
        g.writeNull();
      }
      // closing the generator closes the objects and arrays the cut left open
    } catch (IOException | RuntimeException e) {
      // malformed (before the cut, if cut): not JSON despite its content type
      return null;
    }
    return out.toString();
  }

  /** A parser of the body; non-blocking for a cut body, so the cut is not taken for its end. */
  private static JsonParser parser(byte[] body, int start, int length, boolean truncated)
      throws IOException {
    if (!truncated) {
      return JSON.createParser(body, start, length - start);
    }
    JsonParser p = JSON.createNonBlockingByteArrayParser();
    ((ByteArrayFeeder) p.getNonBlockingInputFeeder()).feedInput(body, start, length);
    return p;
  }

  /** Skips the value after a field name; {@code false} when the input stops inside it. */
  private static boolean skipValue(JsonParser p) throws IOException {
    int depth = 0;
    do {
      JsonToken t = p.nextToken();
      if (t == null || t == JsonToken.NOT_AVAILABLE) {
        return false;
      }
      if (t.isStructStart()) {
        depth++;
      } else if (t.isStructEnd()) {
        depth--;
      }
    } while (depth > 0);
    return true;
  }

  /**
   * A form body, redacted as a servlet container reads the form: split on the bytes {@code &} and
   * {@code =}, each name percent-decoded to bytes and read in the declared charset (and in UTF-8:
   * a field is redacted when either reading is), after a UTF-8 byte-order mark if any. A body
   * holding a NUL byte (UTF-16 or UTF-32 text, binary data) is not written: no container reads it
   * as a form, and its values could not be told apart. A body that holds JSON (jQuery's default
   * content type with {@code JSON.stringify}) is redacted as JSON, and not written at all when its
   * form reading has a redacted field, which the container would give the application.
   */
  private String redactedForm() {
    int start = bomLength(buf, length);
    for (int i = start; i < length; i++) {
      if (buf[i] == 0) {
        return null;
      }
    }
    Charset shown = charset.name().startsWith("UTF-16") ? StandardCharsets.ISO_8859_1 : charset;
    StringBuilder out = new StringBuilder(length);
    boolean masked = false;
    int pairStart = start;
    while (pairStart <= length) {
      int pairEnd = indexOf(buf, (byte) '&', pairStart, length);
      if (pairEnd == length && truncated) {
        // the pair the cut went through: none of it is written
        break;
      }
      int eq = indexOf(buf, (byte) '=', pairStart, pairEnd);
      byte[] name = eq < pairEnd ? percentDecoded(buf, pairStart, eq) : null;
      // a pair without '=' is no field, and may be a bare credential: left out, as is a name
      // whose escapes are malformed
      if (name != null) {
        boolean secret = redactedName(new String(name, charset), redacted)
            || redactedName(new String(name, StandardCharsets.UTF_8), redacted);
        masked |= secret;
        if (out.length() > 0) {
          out.append('&');
        }
        out.append(new String(buf, pairStart, eq - pairStart, shown)).append('=')
            .append(secret ? MASK : new String(buf, eq + 1, pairEnd - eq - 1, shown));
      }
      pairStart = pairEnd + 1;
    }
    if (looksLikeJson(buf, length)) {
      return masked ? null : redactJson(buf, length, truncated, redacted);
    }
    return out.toString();
  }

  private static int indexOf(byte[] b, byte wanted, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == wanted) {
        return i;
      }
    }
    return to;
  }

  /**
   * The bytes of a form name, percent-decoded ({@code +} is a space, other bytes as they are), or
   * {@code null} when an escape is malformed.
   */
  private static byte[] percentDecoded(byte[] b, int from, int to) {
    byte[] out = new byte[to - from];
    int n = 0;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c == '%') {
        if (i + 2 >= to) {
          return null;
        }
        int hi = Character.digit(b[i + 1], 16);
        int lo = Character.digit(b[i + 2], 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out[n++] = (byte) (hi << 4 | lo);
        i += 2;
      } else {
        out[n++] = c == '+' ? (byte) ' ' : c;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * Whether a form field's or query parameter's value is never written: the {@code name} or any
   * part of it between brackets or dots, {@linkplain #normalisedName normalised}, is one of {@code
   * redacted} (normalised names) or ends with one of {@link #CREDENTIAL_SUFFIXES}. So {@code
   * password[0]} is {@code password}, and so are a nested name such as {@code user[password]} or
   * {@code user.password} (the binding syntax of common web frameworks), {@code Password}, {@code
   * newPassword} and {@code new_password}; {@code accessToken} is {@code access_token}.
   */
  static boolean redactedName(String name, Set<String> redacted) {
    if (redactedPart(name, 0, name.length(), redacted)) {
      return true;
    }
    if (name.length() > 1 && name.charAt(0) == '!'
        && redactedName(name.substring(1), redacted)) {
      // Spring's default-value prefix: "!password" binds to password (its marker prefix, "_", is
      // dropped by the normalisation)
      return true;
    }
    int start = 0;
    int n = name.length();
    while (start <= n) {
      int end = start;
      while (end < n && name.charAt(end) != '[' && name.charAt(end) != '.') {
        end++;
      }
      int partEnd = end > start && name.charAt(end - 1) == ']' ? end - 1 : end;
      if (redactedPart(name, start, partEnd, redacted)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  private static boolean redactedPart(String name, int from, int to, Set<String> redacted) {
    if (from >= to) {
      return false;
    }
    String part = normalisedName(name.substring(from, to));
    if (redacted.contains(part)) {
      return true;
    }
    for (String suffix : CREDENTIAL_SUFFIXES) {
      if (part.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A field or parameter name as it is matched: lower-case, without {@code _} and {@code -}, so
   * that {@code accessToken}, {@code access_token} and {@code access-token} are one name.
   */
  static String normalisedName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.indexOf('_') < 0 && lower.indexOf('-') < 0) {
      return lower;
    }
    StringBuilder sb = new StringBuilder(lower.length());
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if (c != '_' && c != '-') {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
