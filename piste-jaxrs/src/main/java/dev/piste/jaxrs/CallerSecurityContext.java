package dev.piste.jaxrs;

import dev.piste.Caller;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/**
 * The caller as JAX-RS sees it: principal = {@link Caller}, roles = scopes (so @RolesAllowed works).
 * Whether the request came over TLS is asked of the runtime's own context, only when asked.
 */
final class CallerSecurityContext implements SecurityContext {

  private final Caller caller;
  private final SecurityContext runtime;

  CallerSecurityContext(Caller caller, SecurityContext runtime) {
    this.caller = caller;
    this.runtime = runtime;
  }

  @Override
  public Principal getUserPrincipal() {
    return caller.isAnonymous() ? null : caller;
  }

  @Override
  public boolean isUserInRole(String role) {
    return caller.hasScope(role);
  }

  @Override
  public boolean isSecure() {
    return runtime != null && runtime.isSecure();
  }

  @Override
  public String getAuthenticationScheme() {
    return caller.isAnonymous() ? null : "PISTE_" + caller.authenticationMethod().name();
  }
}
