package dev.piste.core.internal.problem;

import dev.piste.Outcome;
import dev.piste.core.internal.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One denial as an RFC 9457 problem: status, type, title, detail, instance, plus the response
 * headers of its kind ({@code WWW-Authenticate}, {@code Retry-After}, ...). The servlet and JAX-RS
 * adapters write it identically: status, headers, {@code Content-Type: application/problem+json},
 * {@link #body()}. The detail is always a fixed text of the library: never a token, a claim or an
 * exception message.
 */
public record Problem(Outcome outcome, int status, String title, String detail, String instance,
    List<Header> headers) {

  public static final String CONTENT_TYPE = "application/problem+json";
  public static final String TYPE_BASE = "https://piste.dev/problems/";

  /** One response header. */
  public record Header(String name, String value) {}

  public Problem {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(title, "title");
    headers = List.copyOf(headers);
  }

  /** The problem type URI: {@code https://piste.dev/problems/invalid_token}. */
  public String type() {
    return TYPE_BASE + outcome.code().replace('_', '-');
  }

  /** The problem with one more header. */
  public Problem withHeader(String name, String value) {
    List<Header> h = new java.util.ArrayList<>(headers);
    h.add(new Header(name, value));
    return new Problem(outcome, status, title, detail, instance, h);
  }

  /** The problem with its {@code instance} (the request path or request id). */
  public Problem withInstance(String instance) {
    return new Problem(outcome, status, title, detail, instance, headers);
  }

  /** The UTF-8 JSON body. */
  public byte[] body() {
    StringBuilder sb = new StringBuilder(160);
    sb.append("{\"type\":");
    Json.quote(sb, type());
    sb.append(",\"title\":");
    Json.quote(sb, title);
    sb.append(",\"status\":").append(status);
    if (detail != null) {
      sb.append(",\"detail\":");
      Json.quote(sb, detail);
    }
    if (instance != null) {
      sb.append(",\"instance\":");
      Json.quote(sb, instance);
    }
    sb.append('}');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
