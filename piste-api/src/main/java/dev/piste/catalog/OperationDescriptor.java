package dev.piste.catalog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One operation of an API: method, path template and what the library enforces on it. Immutable.
 * Rate limits are in the configuration's string form ({@code 5/s burst 10}, {@code 1000/day}).
 */
public final class OperationDescriptor {

  /** Where a parameter travels. */
  public enum In {
    PATH, QUERY, HEADER, COOKIE;

    /** The OpenAPI name: {@code path}, {@code query}, {@code header}, {@code cookie}. */
    public String openApiName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A parameter of an operation.
   *
   * @param name its name
   * @param in where it travels
   * @param required whether the caller must send it (always true in the path)
   */
  public record Parameter(String name, In in, boolean required) {
    public Parameter {
      ApiDescriptor.requireText(name, "name");
      Objects.requireNonNull(in, "in");
      if (in == In.PATH && !required) {
        throw new IllegalArgumentException("a path parameter is always required: " + name);
      }
    }
  }

  /**
   * One way to be authorised for an operation.
   *
   * @param isPublic whether it is callable without credential
   * @param scopes the scopes a credential must all hold; empty when public or when any valid
   *     credential will do
   */
  public record Security(boolean isPublic, Set<String> scopes) {
    public Security {
      scopes = java.util.Collections.unmodifiableSet(
          new LinkedHashSet<>(isPublic ? Set.of() : scopes));
      scopes.forEach(s -> ApiDescriptor.requireText(s, "scope"));
    }
  }

  private final String method;
  private final String path;
  private final String operationId;
  private final String summary;
  private final List<Parameter> parameters;
  private final List<String> consumes;
  private final List<String> formParameters;
  private final List<String> produces;
  private final Set<String> scopes;
  private final boolean publicOperation;
  private final List<Security> alternatives;
  private final List<String> rateLimits;
  private final boolean deprecated;
  private final boolean noContent;

  private OperationDescriptor(Builder b) {
    this.method = b.method;
    this.path = b.path;
    this.operationId = b.operationId != null ? b.operationId : b.method + " " + b.path;
    this.summary = b.summary;
    this.parameters = List.copyOf(b.parameters);
    this.consumes = List.copyOf(b.consumes);
    this.formParameters = List.copyOf(b.formParameters);
    this.produces = List.copyOf(b.produces);
    this.scopes = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.scopes));
    this.publicOperation = b.publicOperation;
    this.alternatives = List.copyOf(b.alternatives);
    this.rateLimits = List.copyOf(b.rateLimits);
    this.deprecated = b.deprecated;
    this.noContent = b.noContent;
  }

  /** A builder for the operation {@code method path}, such as {@code GET /v1/invoices/{id}}. */
  public static Builder builder(String method, String path) {
    return new Builder(method, path);
  }

  /** The HTTP method, upper case. */
  public String method() {
    return method;
  }

  /** The path template, {@code /v1/invoices/{id}}. */
  public String path() {
    return path;
  }

  /** A stable id unique in the API, for example {@code InvoiceResource.get}. */
  public String operationId() {
    return operationId;
  }

  /** A one-line summary, or {@code null}. */
  public String summary() {
    return summary;
  }

  public List<Parameter> parameters() {
    return parameters;
  }

  /** Media types of the request body. */
  public List<String> consumes() {
    return consumes;
  }

  /**
   * The names of the form parameters of the request body ({@code @FormParam}), in the order
   * declared, for its {@code application/x-www-form-urlencoded} or {@code multipart/form-data}
   * media types.
   */
  public List<String> formParameters() {
    return formParameters;
  }

  /** Media types of the response body. */
  public List<String> produces() {
    return produces;
  }

  /** Scopes a caller must all hold; empty when any valid credential will do. */
  public Set<String> scopes() {
    return scopes;
  }

  /** Whether the operation is callable without credential. */
  public boolean isPublic() {
    return publicOperation;
  }

  /**
   * The other ways to be authorised for this method and path, besides the one {@link #isPublic()}
   * and {@link #scopes()} give: a caller satisfying any one of them may call it. They come from
   * resource methods that share the method and path template and differ by their media types
   * (content negotiation); each request is enforced as the method it is negotiated to. Empty for
   * most operations.
   */
  public List<Security> alternatives() {
    return alternatives;
  }

  /**
   * Every way to be authorised for this method and path, each once: its own ({@link #isPublic()},
   * {@link #scopes()}) first, then its {@link #alternatives()}.
   */
  public List<Security> securities() {
    Set<Security> ways = new LinkedHashSet<>();
    ways.add(new Security(publicOperation, scopes));
    ways.addAll(alternatives);
    return List.copyOf(ways);
  }

  /**
   * The operation's own limits, in the configuration's string form; with {@link #alternatives()},
   * those of each of its resource methods, each counted in its own bucket.
   */
  public List<String> rateLimits() {
    return rateLimits;
  }

  public boolean deprecated() {
    return deprecated;
  }

  /** Whether it succeeds with {@code 204 No Content} and no body (a {@code void} method). */
  public boolean noContent() {
    return noContent;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OperationDescriptor d && method.equals(d.method) && path.equals(d.path)
        && operationId.equals(d.operationId) && Objects.equals(summary, d.summary)
        && parameters.equals(d.parameters) && consumes.equals(d.consumes)
        && formParameters.equals(d.formParameters)
        && produces.equals(d.produces) && scopes.equals(d.scopes)
        && publicOperation == d.publicOperation && alternatives.equals(d.alternatives)
        && rateLimits.equals(d.rateLimits)
        && deprecated == d.deprecated && noContent == d.noContent;
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, path, operationId, summary, parameters, consumes, formParameters,
        produces, scopes, publicOperation, alternatives, rateLimits, deprecated, noContent);
  }

  @Override
  public String toString() {
    return method + " " + path + " (" + operationId + (publicOperation ? ", public" : "")
        + (scopes.isEmpty() ? "" : ", scopes " + scopes)
        + (alternatives.isEmpty() ? "" : ", or " + alternatives)
        + (rateLimits.isEmpty() ? "" : ", limits " + rateLimits) + (deprecated ? ", deprecated" : "")
        + ")";
  }

  /** Builds an {@link OperationDescriptor}. */
  public static final class Builder {
    private final String method;
    private final String path;
    private String operationId;
    private String summary;
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<String> consumes = new ArrayList<>();
    private final List<String> formParameters = new ArrayList<>();
    private final List<String> produces = new ArrayList<>();
    private final Set<String> scopes = new LinkedHashSet<>();
    private boolean publicOperation;
    private final List<Security> alternatives = new ArrayList<>();
    private final List<String> rateLimits = new ArrayList<>();
    private boolean deprecated;
    private boolean noContent;

    private Builder(String method, String path) {
      this.method = ApiDescriptor.requireText(method, "method").toUpperCase(Locale.ROOT);
      this.path = ApiDescriptor.requireText(path, "path");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path must start with /: " + path);
      }
    }

    public Builder operationId(String operationId) {
      this.operationId = ApiDescriptor.requireText(operationId, "operationId");
      return this;
    }

    public Builder summary(String summary) {
      this.summary = ApiDescriptor.blankToNull(summary);
      return this;
    }

    public Builder parameter(String name, In in, boolean required) {
      parameters.add(new Parameter(name, in, required));
      return this;
    }

    public Builder consumes(String... mediaTypes) {
      consumes.addAll(List.of(mediaTypes));
      return this;
    }

    /** Names of form parameters of the request body, once each. */
    public Builder formParameters(String... names) {
      for (String n : names) {
        if (!formParameters.contains(ApiDescriptor.requireText(n, "form parameter"))) {
          formParameters.add(n);
        }
      }
      return this;
    }

    public Builder produces(String... mediaTypes) {
      produces.addAll(List.of(mediaTypes));
      return this;
    }

    public Builder scopes(String... scopes) {
      for (String s : scopes) {
        this.scopes.add(ApiDescriptor.requireText(s, "scope"));
      }
      return this;
    }

    public Builder publicOperation(boolean isPublic) {
      this.publicOperation = isPublic;
      return this;
    }

    /**
     * Another way to be authorised, of a resource method sharing this method and path: public, or
     * a credential holding all these scopes.
     */
    public Builder alternative(boolean isPublic, String... scopes) {
      alternatives.add(new Security(isPublic, new LinkedHashSet<>(List.of(scopes))));
      return this;
    }

    /** Limits in the configuration's string form: {@code 5/s burst 10}. */
    public Builder rateLimits(String... limits) {
      for (String l : limits) {
        rateLimits.add(ApiDescriptor.requireText(l, "limit"));
      }
      return this;
    }

    public Builder deprecated(boolean deprecated) {
      this.deprecated = deprecated;
      return this;
    }

    /** It succeeds with {@code 204 No Content} and no body. */
    public Builder noContent(boolean noContent) {
      this.noContent = noContent;
      return this;
    }

    public OperationDescriptor build() {
      return new OperationDescriptor(this);
    }
  }
}
