package dev.piste.jaxrs;

import dev.piste.Caller;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/** The caller as JAX-RS sees it: principal = {@link Caller}, roles = scopes (so @RolesAllowed works). */
final class CallerSecurityContext implements SecurityContext {

  private final Caller caller;
  private final boolean secure;

  CallerSecurityContext(Caller caller, boolean secure) {
    this.caller = caller;
    this.secure = secure;
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
    return secure;
  }

  @Override
  public String getAuthenticationScheme() {
    return caller.isAnonymous() ? null : "PISTE_" + caller.authenticationMethod().name();
  }
}
