package dev.piste.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What an API offers, built from its code: identity, lifecycle, operations and the scopes they
 * use. The engine derives the OpenAPI document and the catalog registration from it. Immutable.
 *
 * <pre>{@code
 * ApiDescriptor api = ApiDescriptor.builder("invoices", "1.0.0")
 *     .name("Invoices")
 *     .operation(OperationDescriptor.builder("GET", "/v1/invoices").operationId("list")
 *         .scopes("invoices:read").build())
 *     .build();
 * }</pre>
 */
public final class ApiDescriptor {

  /** The lifecycle stages a descriptor may be in. */
  public static final Set<String> LIFECYCLES = Set.of("draft", "published", "deprecated", "retired");

  private final String id;
  private final String version;
  private final String name;
  private final String description;
  private final String contact;
  private final String lifecycle;
  private final List<OperationDescriptor> operations;
  private final Map<String, String> scopes;

  private ApiDescriptor(Builder b) {
    this.id = b.id;
    this.version = b.version;
    this.name = b.name != null ? b.name : b.id;
    this.description = b.description;
    this.contact = b.contact;
    this.lifecycle = b.lifecycle;
    this.operations = List.copyOf(b.operations);
    Map<String, String> s = new LinkedHashMap<>();
    for (OperationDescriptor op : operations) {
      for (String scope : op.scopes()) {
        s.putIfAbsent(scope, scope);
      }
      for (OperationDescriptor.Security alternative : op.alternatives()) {
        alternative.scopes().forEach(scope -> s.putIfAbsent(scope, scope));
      }
    }
    s.putAll(b.scopes);
    this.scopes = Collections.unmodifiableMap(s);
  }

  /** A builder for the API of this id and version. */
  public static Builder builder(String id, String version) {
    return new Builder(id, version);
  }

  /** A builder holding this descriptor's values. */
  public Builder toBuilder() {
    Builder b = new Builder(id, version).name(name).lifecycle(lifecycle);
    b.description = description;
    b.contact = contact;
    b.operations.addAll(operations);
    b.scopes.putAll(scopes);
    return b;
  }

  /** The stable id in the catalog, for example {@code invoices}. */
  public String id() {
    return id;
  }

  public String version() {
    return version;
  }

  /** The human-readable name; the id when none was given. */
  public String name() {
    return name;
  }

  /** A description in CommonMark, or {@code null}. */
  public String description() {
    return description;
  }

  /** An e-mail address or a URL, or {@code null}. */
  public String contact() {
    return contact;
  }

  /** One of {@link #LIFECYCLES}. */
  public String lifecycle() {
    return lifecycle;
  }

  public List<OperationDescriptor> operations() {
    return operations;
  }

  /** Every scope an operation uses (and any declared besides), with its description, in order. */
  public Map<String, String> scopes() {
    return scopes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiDescriptor d && id.equals(d.id) && version.equals(d.version)
        && name.equals(d.name) && Objects.equals(description, d.description)
        && Objects.equals(contact, d.contact) && lifecycle.equals(d.lifecycle)
        && operations.equals(d.operations) && scopes.equals(d.scopes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, version, name, description, contact, lifecycle, operations, scopes);
  }

  @Override
  public String toString() {
    return "ApiDescriptor{" + id + " " + version + ", " + lifecycle + ", " + operations.size()
        + " operations, scopes " + scopes.keySet() + "}";
  }

  /** Builds an {@link ApiDescriptor}; {@link #build()} checks it. */
  public static final class Builder {
    private final String id;
    private final String version;
    private String name;
    private String description;
    private String contact;
    private String lifecycle = "published";
    private final List<OperationDescriptor> operations = new ArrayList<>();
    private final Map<String, String> scopes = new LinkedHashMap<>();

    private Builder(String id, String version) {
      this.id = requireText(id, "id");
      this.version = requireText(version, "version");
    }

    public Builder name(String name) {
      this.name = blankToNull(name);
      return this;
    }

    public Builder description(String description) {
      this.description = blankToNull(description);
      return this;
    }

    public Builder contact(String contact) {
      this.contact = blankToNull(contact);
      return this;
    }

    /** {@code draft}, {@code published} (the default), {@code deprecated} or {@code retired}. */
    public Builder lifecycle(String lifecycle) {
      if (!LIFECYCLES.contains(lifecycle)) {
        throw new IllegalArgumentException("lifecycle must be one of draft, published, deprecated,"
            + " retired; was " + lifecycle);
      }
      this.lifecycle = lifecycle;
      return this;
    }

    public Builder operation(OperationDescriptor operation) {
      operations.add(Objects.requireNonNull(operation, "operation"));
      return this;
    }

    public Builder operations(List<OperationDescriptor> operations) {
      operations.forEach(this::operation);
      return this;
    }

    /** Describes a scope; a scope used by an operation and never described is its own description. */
    public Builder scope(String scope, String description) {
      scopes.put(requireText(scope, "scope"), requireText(description, "description"));
      return this;
    }

    /** Checks that operation ids and method-path pairs are unique. */
    public ApiDescriptor build() {
      java.util.Set<String> ids = new java.util.HashSet<>();
      java.util.Set<String> routes = new java.util.HashSet<>();
      for (OperationDescriptor op : operations) {
        if (!ids.add(op.operationId())) {
          throw new IllegalArgumentException("duplicate operationId " + op.operationId());
        }
        if (!routes.add(op.method() + " " + op.path())) {
          throw new IllegalArgumentException("duplicate operation " + op.method() + " " + op.path());
        }
      }
      return new ApiDescriptor(this);
    }
  }

  static String requireText(String s, String what) {
    Objects.requireNonNull(s, what);
    if (s.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    return s;
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
