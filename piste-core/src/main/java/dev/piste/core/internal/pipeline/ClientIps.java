package dev.piste.core.internal.pipeline;

import dev.piste.PisteRequest;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.config.Cidr;
import dev.piste.core.internal.config.RateLimitKeys;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The client IP of a request. The one header the trusted proxies set ({@code X-Forwarded-For}, or
 * {@code Forwarded} of RFC 7239) is believed only when the immediate peer is a trusted proxy: the
 * chain is then walked right to left past trusted proxies, and the first untrusted address is the
 * client. The other header is never read: a proxy that sets one passes a client's copy of the other
 * through. An unparsable hop stops the walk at the last address known good. Otherwise the socket
 * address is the client, whatever the headers say.
 */
public final class ClientIps {

  private static final int MAX_HOPS = 32;

  private final List<Cidr> trusted;
  private final boolean forwardedHeader;

  /** Trusts {@code X-Forwarded-For} from these proxies. */
  public ClientIps(List<Cidr> trustedProxies) {
    this(trustedProxies, false);
  }

  /** @param forwardedHeader {@code Forwarded} (RFC 7239) rather than {@code X-Forwarded-For} */
  public ClientIps(List<Cidr> trustedProxies, boolean forwardedHeader) {
    this.trusted = List.copyOf(trustedProxies);
    this.forwardedHeader = forwardedHeader;
  }

  /**
   * The client IPs of a configuration: {@code piste.ratelimit.trusted-proxies} and the header they
   * set, {@code piste.ratelimit.client-ip-header}.
   */
  public static ClientIps of(PisteConfig config) {
    return new ClientIps(config.get(RateLimitKeys.TRUSTED_PROXIES),
        "forwarded".equals(config.get(RateLimitKeys.CLIENT_IP_HEADER)));
  }

  /** Believes no header: the socket address is always the client. */
  public static ClientIps none() {
    return new ClientIps(List.of());
  }

  /**
   * The client IP of this request: the socket address as the container gives it when no proxy is
   * trusted, else in canonical form when it is an IP literal.
   */
  public String resolve(PisteRequest request) {
    if (trusted.isEmpty()) {
      // the hot path of most deployments: no parsing at all
      String remote = request.remoteAddress();
      return remote != null ? remote : "unknown";
    }
    String peer = canonical(request.remoteAddress());
    if (!trusted(peer)) {
      return peer;
    }
    List<String> hops;
    if (forwardedHeader) {
      hops = forwarded(request.headers("Forwarded"));
      if (hops == null) {
        hops = List.of();
      }
    } else {
      hops = xForwardedFor(request.headers("X-Forwarded-For"));
    }
    String client = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = canonical(hops.get(i));
      if (Cidr.literal(hop) == null) {
        return client;
      }
      client = hop;
      if (!trusted(hop)) {
        return hop;
      }
    }
    return client;
  }

  private boolean trusted(String address) {
    byte[] bytes = Cidr.literal(address);
    if (bytes == null) {
      return false;
    }
    for (Cidr c : trusted) {
      if (c.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /** The {@code for=} values of every {@code Forwarded} element in order, or {@code null} if none. */
  private static List<String> forwarded(List<String> headers) {
    List<String> out = new ArrayList<>();
    for (String header : headers) {
      for (String element : header.split(",")) {
        for (String pair : element.split(";")) {
          int eq = pair.indexOf('=');
          if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
            out.add(pair.substring(eq + 1).trim());
          }
        }
      }
    }
    // the hops the trusted proxies appended are the last ones: a long chain keeps its tail
    return out.isEmpty() ? null
        : out.size() > MAX_HOPS ? out.subList(out.size() - MAX_HOPS, out.size()) : out;
  }

  private static List<String> xForwardedFor(List<String> headers) {
    List<String> out = new ArrayList<>();
    for (String header : headers) {
      for (String hop : header.split(",")) {
        if (!hop.isBlank()) {
          out.add(hop.trim());
        }
      }
    }
    return out.size() > MAX_HOPS ? out.subList(out.size() - MAX_HOPS, out.size()) : out;
  }

  /**
   * Strips quotes, brackets and a port ({@code "[2001:db8::1]:4711"}, {@code 192.0.2.1:80}) and
   * canonicalizes an IP literal; returns other text (a host name, {@code unknown}) unchanged.
   */
  static String canonical(String raw) {
    if (raw == null) {
      return "unknown";
    }
    String s = raw.trim();
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        return s;
      }
      s = s.substring(1, close);
    } else {
      int colon = s.indexOf(':');
      if (colon > 0 && colon == s.lastIndexOf(':') && s.indexOf('.') > 0) {
        s = s.substring(0, colon);
      }
    }
    byte[] bytes = Cidr.literal(s);
    if (bytes == null) {
      return s;
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException e) {
      return s;
    }
  }
}
