package dev.piste.core.testing;

import dev.piste.PisteRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A {@link PisteRequest} built by hand, for tests of the pipeline stages. */
public final class TokenTestRequest implements PisteRequest {

  private final String method;
  private final String path;
  private String query;
  private final List<String[]> headers = new ArrayList<>();

  private TokenTestRequest(String method, String path) {
    this.method = method;
    this.path = path;
  }

  public static TokenTestRequest get(String path) {
    return new TokenTestRequest("GET", path);
  }

  public TokenTestRequest header(String name, String value) {
    headers.add(new String[] {name, value});
    return this;
  }

  public TokenTestRequest query(String query) {
    this.query = query;
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
    List<String> all = headers(name);
    return all.isEmpty() ? null : all.get(0);
  }

  @Override
  public List<String> headers(String name) {
    List<String> out = new ArrayList<>();
    for (String[] h : headers) {
      if (h[0].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        out.add(h[1]);
      }
    }
    return out;
  }

  @Override
  public String remoteAddress() {
    return "127.0.0.1";
  }
}
