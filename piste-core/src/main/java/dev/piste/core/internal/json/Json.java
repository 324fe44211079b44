package dev.piste.core.internal.json;

/** Minimal JSON string escaping for the hand-written documents of the hot path. */
public final class Json {
  private Json() {}

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Appends {@code s} as a quoted JSON string (or {@code null}). */
  public static StringBuilder quote(StringBuilder sb, String s) {
    if (s == null) {
      return sb.append("null");
    }
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append("\\u00").append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
            if (c >= 0x100) {
              sb.setLength(sb.length() - 4);
              sb.append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                  .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
            }
          } else {
            sb.append(c);
          }
      }
    }
    return sb.append('"');
  }
}
