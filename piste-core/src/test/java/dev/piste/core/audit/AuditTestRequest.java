package dev.piste.core.audit;

import dev.piste.PisteRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A request as an adapter would present it, for driving the pipeline directly. */
final class AuditTestRequest implements PisteRequest {

  private final String method;
  private final String path;
  private final String query;
  private final Map<String, List<String>> headers = new LinkedHashMap<>();
  private String remote = "192.0.2.10";

  AuditTestRequest(String method, String path, String query) {
    this.method = method;
    this.path = path;
    this.query = query;
  }

  static AuditTestRequest get(String path) {
    return new AuditTestRequest("GET", path, null);
  }

  AuditTestRequest header(String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
    return this;
  }

  AuditTestRequest remote(String address) {
    this.remote = address;
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
    return query;
  }

  @Override
  public String header(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  @Override
  public List<String> headers(String name) {
    return List.copyOf(headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()));
  }

  @Override
  public String remoteAddress() {
    return remote;
  }
}
