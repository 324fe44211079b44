package dev.piste.core.testing;

import dev.piste.PisteRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A {@link PisteRequest} built by a test: method, path, headers and the socket peer. */
public final class RateLimitTestRequest implements PisteRequest {

  private final String method;
  private final String path;
  private final String remoteAddress;
  private final Map<String, List<String>> headers = new LinkedHashMap<>();

  public RateLimitTestRequest(String method, String path, String remoteAddress) {
    this.method = method;
    this.path = path;
    this.remoteAddress = remoteAddress;
  }

  /** Adds one header value. */
  public RateLimitTestRequest header(String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
    return this;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String query() {
    return null;
  }

  @Override
  public String header(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  @Override
  public List<String> headers(String name) {
    return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  @Override
  public String remoteAddress() {
    return remoteAddress;
  }
}
