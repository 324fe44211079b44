package dev.piste.servlet;

import dev.piste.Caller;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;

/**
 * The request as the application sees it once the caller is authenticated: the principal is the
 * {@link Caller}, and {@code isUserInRole(scope)} answers from its scopes.
 */
final class CallerRequest extends HttpServletRequestWrapper {

  private final Caller caller;
  private ServletRequest asyncRequest;
  private ServletResponse asyncResponse;

  CallerRequest(HttpServletRequest request, Caller caller) {
    super(request);
    this.caller = caller;
  }

  /**
   * What {@link #startAsync()} hands to the asynchronous context: the application's view of the
   * request (its caller, the body capture) and the counting response, where the container would
   * hand the original ones and the other thread would see no caller and write uncounted.
   */
  void asyncWith(ServletRequest request, ServletResponse response) {
    this.asyncRequest = request;
    this.asyncResponse = response;
  }

  @Override
  public AsyncContext startAsync() {
    return asyncRequest == null ? super.startAsync()
        : super.startAsync(asyncRequest, asyncResponse);
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
