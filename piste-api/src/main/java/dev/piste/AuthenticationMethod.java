package dev.piste;

/** How a {@link Caller} proved who it is. */
public enum AuthenticationMethod {
  /** A signed JWT access token, verified locally against the issuer's keys. */
  JWT("jwt"),
  /** An opaque access token, verified by RFC 7662 introspection. */
  INTROSPECTION("introspection"),
  /** An API key from the configured key header. */
  API_KEY("api_key"),
  /** No credential: a public operation. */
  NONE("none");

  private final String code;

  AuthenticationMethod(String code) {
    this.code = code;
  }

  /** The lower-case name used in audit events and logs ({@code jwt}, {@code api_key}, ...). */
  public String code() {
    return code;
  }
}
