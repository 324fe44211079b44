package dev.piste.servlet;

import dev.piste.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;

/**
 * The request as the application sees it once the caller is authenticated: the principal is the
 * {@link Caller}, and {@code isUserInRole(scope)} answers from its scopes.
 */
final class CallerRequest extends HttpServletRequestWrapper {

  private final Caller caller;

  CallerRequest(HttpServletRequest request, Caller caller) {
    super(request);
    this.caller = caller;
  }

  @Override
  public Principal getUserPrincipal() {
    return caller.isAnonymous() ? null : caller;
  }

  @Override
  public String getRemoteUser() {
    return caller.isAnonymous() ? null : caller.getName();
  }

  @Override
  public boolean isUserInRole(String role) {
    return caller.hasScope(role);
  }

  @Override
  public String getAuthType() {
    return caller.isAnonymous() ? null : "PISTE_" + caller.authenticationMethod().name();
  }
}
