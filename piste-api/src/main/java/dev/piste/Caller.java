package dev.piste;

import java.security.Principal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The authenticated caller of one request: the application (OAuth2 client or API key owner), the
 * end user if any, the granted scopes, the verified claims and how it authenticated.
 *
 * <p>Reachable from the servlet request attribute {@link #REQUEST_ATTRIBUTE} and from JAX-RS as
 * {@code SecurityContext.getUserPrincipal()} or {@code @Context Caller}. Immutable.
 */
public final class Caller implements Principal {

  /** The servlet request attribute under which the adapters store the caller. */
  public static final String REQUEST_ATTRIBUTE = "dev.piste.Caller";

  private static final Caller ANONYMOUS = new Builder().method(AuthenticationMethod.NONE).build();

  private final String applicationId;
  private final String subject;
  private final Set<String> scopes;
  private final Map<String, Object> claims;
  private final AuthenticationMethod method;
  private final String plan;

  private Caller(Builder b) {
    this.applicationId = b.applicationId;
    this.subject = b.subject;
    this.scopes = Set.copyOf(b.scopes);
    this.claims = Collections.unmodifiableMap(new LinkedHashMap<>(b.claims));
    this.method = Objects.requireNonNull(b.method, "method");
    this.plan = b.plan;
  }

  /** The caller of a public operation that presented no credential. */
  public static Caller anonymous() {
    return ANONYMOUS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .applicationId(applicationId)
        .subject(subject)
        .scopes(scopes)
        .claims(claims)
        .method(method)
        .plan(plan);
  }

  /** The application (OAuth2 {@code client_id}, or API key owner); {@code null} if anonymous. */
  public String applicationId() {
    return applicationId;
  }

  /** The end user or service account ({@code sub}); {@code null} when the credential has none. */
  public String subject() {
    return subject;
  }

  /** The granted scopes; empty, never {@code null}. */
  public Set<String> scopes() {
    return scopes;
  }

  /** Whether the caller was granted this scope. */
  public boolean hasScope(String scope) {
    return scopes.contains(scope);
  }

  /** The verified claims of the credential (JWT claims or introspection response). */
  public Map<String, Object> claims() {
    return claims;
  }

  public AuthenticationMethod authenticationMethod() {
    return method;
  }

  /** The rate-limit plan named by the credential, or {@code null} to use the resolver's choice. */
  public String plan() {
    return plan;
  }

  public boolean isAnonymous() {
    return method == AuthenticationMethod.NONE;
  }

  /** The principal name: the subject, else the application id, else {@code anonymous}. */
  @Override
  public String getName() {
    if (subject != null) {
      return subject;
    }
    return applicationId != null ? applicationId : "anonymous";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Caller c
        && Objects.equals(applicationId, c.applicationId)
        && Objects.equals(subject, c.subject)
        && scopes.equals(c.scopes)
        && claims.equals(c.claims)
        && method == c.method
        && Objects.equals(plan, c.plan);
  }

  @Override
  public int hashCode() {
    return Objects.hash(applicationId, subject, scopes, method, plan);
  }

  /** Names the caller without its claims, which may hold personal data. */
  @Override
  public String toString() {
    return "Caller[applicationId=" + applicationId + ", subject=" + subject + ", scopes=" + scopes
        + ", method=" + method.code() + "]";
  }

  /** Builds a {@link Caller}. */
  public static final class Builder {
    private String applicationId;
    private String subject;
    private Set<String> scopes = Set.of();
    private Map<String, Object> claims = Map.of();
    private AuthenticationMethod method;
    private String plan;

    private Builder() {}

    public Builder applicationId(String applicationId) {
      this.applicationId = applicationId;
      return this;
    }

    public Builder subject(String subject) {
      this.subject = subject;
      return this;
    }

    public Builder scopes(Set<String> scopes) {
      this.scopes = Objects.requireNonNull(scopes, "scopes");
      return this;
    }

    public Builder claims(Map<String, Object> claims) {
      this.claims = Objects.requireNonNull(claims, "claims");
      return this;
    }

    public Builder method(AuthenticationMethod method) {
      this.method = method;
      return this;
    }

    public Builder plan(String plan) {
      this.plan = plan;
      return this;
    }

    public Caller build() {
      return new Caller(this);
    }
  }
}
