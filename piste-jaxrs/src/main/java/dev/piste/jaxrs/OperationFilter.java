package dev.piste.jaxrs;

import dev.piste.Caller;
import dev.piste.core.Piste;
import dev.piste.core.internal.audit.BodyCapture;
import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.internal.pipeline.Pipeline;
import dev.piste.core.internal.pipeline.RequestView;
import dev.piste.core.internal.problem.Problem;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The filter of one resource method, with its policy computed once at deployment. Denials use
 * {@code abortWith}; the response filter adds the library's headers and completes the audit record.
 */
final class OperationFilter implements ContainerRequestFilter, ContainerResponseFilter {

  static final String CAPTURE_PROPERTY = "dev.piste.jaxrs.BodyCapture";

  private final OperationPolicy policy;
  private final LocatorPolicies viaLocators;
  private final Piste fixed;
  private final Supplier<String> remoteAddress;
  private volatile Bodies bodies;

  /** The body capture policy of one engine. */
  private record Bodies(Piste engine, BodyCapture.Policy policy) {}

  OperationFilter(OperationPolicy policy, Method method, Piste fixed,
      Supplier<String> remoteAddress) {
    this.policy = policy;
    this.viaLocators = new LocatorPolicies(policy, method);
    this.fixed = fixed;
    this.remoteAddress = remoteAddress;
  }

  private Piste engine(ContainerRequestContext request) {
    if (fixed != null) {
      return fixed;
    }
    Object p = request.getProperty(Piste.CONTEXT_ATTRIBUTE);
    if (p instanceof Piste piste) {
      return piste;
    }
    throw new IllegalStateException("No PISTE engine for this application: register "
        + "new PisteFeature(piste), or the PisteServletContextListener in web.xml");
  }

  @Override
  public void filter(ContainerRequestContext request) {
    Problem problem = enforce(request, false);
    if (problem != null) {
      request.abortWith(response(request, problem));
    }
  }

  /**
   * Enforces this operation's policy; the denial to answer, or {@code null} to go on. In the
   * response phase (a request no method matched) nothing is left to hand the caller or the body to.
   */
  private Problem enforce(ContainerRequestContext request, boolean responsePhase) {
    Piste engine = engine(request);
    Pipeline pipeline = engine.pipeline();
    if (!pipeline.enabled()) {
      return null;
    }
    OperationPolicy policy = this.policy;
    List<Object> matched = request.getUriInfo().getMatchedResources();
    if (matched.size() > 1 && !responsePhase) {
      // reached through sub-resource locators: theirs are required too
      policy = viaLocators.policy(request.getUriInfo(), matched);
    }
    RequestView view;
    if (request.getProperty(Piste.REQUEST_VIEW_ATTRIBUTE) instanceof RequestView v) {
      if (v.enforcedOutside()) {
        // the servlet filter enforced, rate-limited and audits this request: add this method's
        // credential and scope requirements only
        return pipeline.authorize(v.exchange(), policy);
      }
      if (v.exchange() != null) {
        return null;
      }
      view = v;
    } else {
      view = new JaxrsRequestView(request, remoteAddress.get());
      request.setProperty(Piste.REQUEST_VIEW_ATTRIBUTE, view);
    }
    Exchange ex = pipeline.begin(view, policy);
    view.exchange(ex);
    Problem problem = pipeline.enforce(ex);
    if (problem != null) {
      return problem;
    }
    Caller caller = ex.caller();
    request.setProperty(Caller.REQUEST_ATTRIBUTE, caller);
    if (responsePhase) {
      return null;
    }
    BodyCapture.Policy bodies = bodies(engine);
    if (bodies.enabled()) {
      BodyCapture capture = bodies.start(request.getHeaderString("Content-Type"));
      if (capture != null && request.hasEntity()) {
        request.setEntityStream(new CapturingStream(request.getEntityStream(), capture));
        request.setProperty(CAPTURE_PROPERTY, capture);
      }
    }
    request.setSecurityContext(new CallerSecurityContext(caller, request.getSecurityContext()));
    return null;
  }

  /**
   * A denial. The request's body, if it has one, is left unread: the answer says the connection
   * closes (RFC 9112 9.6), as the servlet filter's does, so that a client does not send its next
   * request on a connection the container may close.
   */
  private static Response response(ContainerRequestContext request, Problem problem) {
    Response.ResponseBuilder r = Response.status(problem.status())
        .type(Problem.CONTENT_TYPE)
        .header("Cache-Control", "no-store")
        .entity(problem.body());
    for (Problem.Header h : problem.headers()) {
      r.header(h.name(), h.value());
    }
    if (leavesBodyUnread(request)) {
      r.header("Connection", "close");
    }
    return r.build();
  }

  private static boolean leavesBodyUnread(ContainerRequestContext request) {
    return request.getLength() > 0 || request.getHeaderString("Transfer-Encoding") != null;
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (!(request.getProperty(Piste.REQUEST_VIEW_ATTRIBUTE) instanceof RequestView view)
        || view.exchange() == null || view.enforcedOutside()) {
      return;
    }
    Exchange ex = view.exchange();
    MultivaluedMap<String, Object> headers = response.getHeaders();
    for (Problem.Header h : ex.responseHeaders()) {
      headers.putSingle(h.name(), h.value());
    }
    if (Pipeline.reviseDeferred(ex, response.getStatus())) {
      // a second pass: the response failed to be written and this is what the client gets instead
      return;
    }
    Piste engine = engine(request);
    if (bodies(engine).enabled() && request.getProperty(CAPTURE_PROPERTY) instanceof BodyCapture capture) {
      capture.finish(ex);
    }
    if (view.endedByContainer()) {
      // the servlet listener records the event once the response is written
      engine.pipeline().completeDeferringAudit(ex, response.getStatus(), view.contentLength(),
          response.getLength());
    } else {
      engine.pipeline().complete(ex, response.getStatus(), view.contentLength(),
          response.getLength(), null);
    }
  }

  /**
   * The requests no resource method matched: the 404, 405, 406 or 415 that routing answers. No
   * operation filter is bound to them, so this global response filter enforces the policy of {@link
   * #UNMATCHED} on them after the fact (nothing of the application ran): a caller without a valid
   * credential gets the 401 instead, as from a servlet path that no rule makes public. A 405, 406
   * or 415 (a path served, but not with this method or media type) of a path that a public method
   * serves (known on Jersey) keeps routing's answer, under {@link #UNMATCHED_PUBLIC}. Every such
   * request is rate-limited and audited. A request that a {@code @PreMatching} filter answered (a
   * CORS preflight) never reached routing: {@link Routed} did not mark it, and it is left alone, as
   * is any other response, at the cost of one status read.
   */
  static final class Unmatched implements ContainerResponseFilter {
    private final OperationFilter notFound;
    private final OperationFilter notServed;
    private final boolean forwardOn404;

    Unmatched(Piste fixed, Supplier<String> remoteAddress, boolean forwardOn404) {
      this.notFound = new OperationFilter(UNMATCHED, null, fixed, remoteAddress);
      this.notServed = new OperationFilter(UNMATCHED_PUBLIC, null, fixed, remoteAddress);
      this.forwardOn404 = forwardOn404;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
      int status = response.getStatus();
      if ((status != 404 && status != 405 && status != 406 && status != 415)
          // Jersey as a servlet filter hands its 404s down the chain (static content)
          || status == 404 && forwardOn404
          || request.getProperty(ROUTED) == null
          || request.getProperty(Piste.REQUEST_VIEW_ATTRIBUTE) instanceof RequestView v
              && (v.exchange() != null || v.enforcedOutside())
          || routedToAMethod(request)) {
        return;
      }
      // a path served with another method or type answers anyone only if it serves someone
      // publicly (as Spring Security does): otherwise a 405 would tell which protected paths exist
      OperationFilter operation = status != 404 && JERSEY
          && JerseyLocators.servesPublicly(request.getUriInfo()) ? notServed : notFound;
      Problem problem = operation.enforce(request, true);
      if (problem != null) {
        replace(request, response, problem);
      }
      operation.filter(request, response);
    }

    /** Turns the routing answer into the denial, as {@link #response} builds it. */
    private static void replace(ContainerRequestContext request, ContainerResponseContext response,
        Problem problem) {
      MultivaluedMap<String, Object> headers = response.getHeaders();
      headers.remove("Allow");
      response.setStatus(problem.status());
      response.setEntity(problem.body(), new Annotation[0], PROBLEM_TYPE);
      headers.putSingle("Cache-Control", "no-store");
      for (Problem.Header h : problem.headers()) {
        headers.add(h.name(), h.value());
      }
      if (leavesBodyUnread(request)) {
        headers.putSingle("Connection", "close");
      }
    }
  }

  /** The policy of a request to a path no resource method serves: a credential, audited. */
  static final OperationPolicy UNMATCHED = OperationPolicy.authenticated("unmatched", null);

  /** The policy of a served path called with another method or media type: audited. */
  static final OperationPolicy UNMATCHED_PUBLIC = new OperationPolicy("unmatched", null, true,
      Set.of(), List.of(), true);

  static final String ROUTED = "dev.piste.jaxrs.Routed";

  private static final boolean JERSEY = LocatorPolicies.JERSEY;

  /**
   * Whether routing found a resource method: then an answer without an operation is a filter's of
   * the application (a global one before authentication), not routing's. Without Jersey, no
   * matched resource at all.
   */
  private static boolean routedToAMethod(ContainerRequestContext request) {
    Boolean matched = JERSEY ? JerseyLocators.methodMatched(request.getUriInfo()) : null;
    return matched != null ? matched : !request.getUriInfo().getMatchedResources().isEmpty();
  }

  /**
   * Marks a request that went past every {@code @PreMatching} filter to routing: registered last
   * among them, it does not see one that such a filter answered.
   */
  @jakarta.ws.rs.container.PreMatching
  static final class Routed implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
      request.setProperty(ROUTED, Boolean.TRUE);
    }
  }

  private static final MediaType PROBLEM_TYPE = MediaType.valueOf(Problem.CONTENT_TYPE);

  /** The body capture policy of an engine, computed once per engine. */
  private BodyCapture.Policy bodies(Piste piste) {
    Bodies b = bodies;
    if (b == null || b.engine() != piste) {
      b = new Bodies(piste, BodyCapture.Policy.of(piste.config()));
      bodies = b;
    }
    return b.policy();
  }

  /** Hands the entity bytes the resource reads to the audit capture. */
  private static final class CapturingStream extends FilterInputStream {
    private final BodyCapture capture;

    CapturingStream(InputStream in, BodyCapture capture) {
      super(in);
      this.capture = capture;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        capture.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        capture.write(b, off, n);
      }
      return n;
    }
  }
}
