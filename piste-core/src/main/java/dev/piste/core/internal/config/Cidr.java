package dev.piste.core.internal.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 address block. Parses literals only: never resolves a host name. */
public final class Cidr {

  private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

  private final byte[] network;
  private final int prefix;
  private final String text;

  private Cidr(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  public static Cidr parse(String s) {
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = literal(addr);
    if (bytes == null) {
      throw new IllegalArgumentException("not an IP literal");
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix");
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException("bad prefix");
      }
    }
    return new Cidr(bytes, prefix, s);
  }

  /**
   * The address bytes of an IP literal, or {@code null} if the text is not one: four decimal
   * octets, or an IPv6 literal. Never resolves a name: text such as {@code a.b.c.de}, which the
   * JDK would look up in the DNS, is not a literal.
   */
  public static byte[] literal(String s) {
    if (s == null || s.isEmpty() || !LITERAL.matcher(s).matches()) {
      return null;
    }
    if (s.indexOf(':') < 0) {
      return ipv4(s);
    }
    try {
      // text with a colon is parsed as an IPv6 literal or refused, never looked up
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static byte[] ipv4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c == '.') {
        if (value < 0 || part == 4) {
          return null;
        }
        out[part++] = (byte) value;
        value = -1;
      } else if (c >= '0' && c <= '9') {
        value = value < 0 ? c - '0' : value * 10 + (c - '0');
        if (value > 255) {
          return null;
        }
      } else {
        return null;
      }
    }
    return part == 4 ? out : null;
  }

  /**
   * Whether a URI host is a loopback IP literal ({@code 127.0.0.0/8}, {@code [::1]}); a name, even
   * one that starts like an address ({@code 127.0.0.1.nip.io}), is not, and none is looked up.
   */
  public static boolean loopbackLiteral(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
        : host;
    byte[] b = literal(h);
    if (b == null) {
      return false;
    }
    if (b.length == 4) {
      return b[0] == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[15] == 1;
  }

  /** Whether an address (as returned by {@link #literal}) lies in this block. */
  public boolean contains(byte[] address) {
    if (address == null || address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (address[full] & mask) == (network[full] & mask);
  }

  @Override
  public String toString() {
    return text;
  }
}
