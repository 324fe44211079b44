package dev.piste.core.testing;

import dev.piste.PisteRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A hand-built {@link PisteRequest} for driving the pipeline without a container. */
public final class TestRequest implements PisteRequest {

  private final String method;
  private final String path;
  private String query;
  private String remoteAddress = "127.0.0.1";
  private final Map<String, List<String>> headers = new LinkedHashMap<>();

  private TestRequest(String method, String path) {
    this.method = method;
    this.path = path;
  }

  public static TestRequest get(String path) {
    return new TestRequest("GET", path);
  }

  public static TestRequest of(String method, String path) {
    return new TestRequest(method, path);
  }

  /** Adds one value of a header (call twice for two headers of the same name). */
  public TestRequest header(String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
    return this;
  }

  public TestRequest query(String query) {
    this.query = query;
    return this;
  }

  public TestRequest remoteAddress(String remoteAddress) {
    this.remoteAddress = remoteAddress;
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
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null ? List.of() : List.copyOf(v);
  }

  @Override
  public String remoteAddress() {
    return remoteAddress;
  }
}
