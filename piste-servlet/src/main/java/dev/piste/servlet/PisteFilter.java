package dev.piste.servlet;

import dev.piste.Caller;
import dev.piste.catalog.ApiDescriptor;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.audit.BodyCapture;
import dev.piste.core.internal.catalog.CatalogDocuments;
import dev.piste.core.internal.catalog.ConfigDescriber;
import dev.piste.core.internal.config.AuditKeys;
import dev.piste.core.internal.config.RateLimitKeys;
import dev.piste.core.internal.config.TokenKeys;
import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.pipeline.PathRules;
import dev.piste.core.internal.pipeline.Pipeline;
import dev.piste.core.internal.problem.Problem;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces token validation, scopes, rate limits and auditing on every request it is mapped to.
 *
 * <p>In web.xml, the no-arg constructor finds the engine that {@link PisteServletContextListener}
 * stored in the ServletContext, or builds one from its own {@code piste.*} init-params and the
 * context-params. In code, pass the engine to {@link #PisteFilter(Piste)}. Map it with the
 * {@code REQUEST} and {@code ASYNC} dispatcher types; an async request is audited when it completes.
 *
 * <p>Operations are described by path rules ({@code piste.token.public-paths},
 * {@code piste.token.scope-rules}, {@code piste.ratelimit.rules}, {@code piste.audit.exclude-paths}),
 * compiled once at {@link #init}. The authenticated {@link Caller} is the request attribute
 * {@link Caller#REQUEST_ATTRIBUTE} and the request's user principal.
 */
public final class PisteFilter implements Filter {

  private static final String EXCHANGE_ATTRIBUTE = "dev.piste.servlet.Exchange";
  /** The keys a filter's init-params set for this filter alone, next to a shared engine. */
  private static final Set<String> FILTER_KEYS = Set.of(
      TokenKeys.PUBLIC_PATHS.name(), TokenKeys.SCOPE_RULES.name(), RateLimitKeys.RULES.name(),
      AuditKeys.EXCLUDE_PATHS.name(), AuditKeys.REDACT_FIELDS.name());
  private static final Logger LOG = LoggerFactory.getLogger(PisteFilter.class);

  private Piste piste;
  private boolean owned;
  private PathRules rules;
  private Pipeline pipeline;
  private BodyCapture.Policy bodies;
  private CatalogDocuments documents;

  /** For web.xml: configured by init-params and context-params. */
  public PisteFilter() {}

  /** For code: uses this engine, which the application starts and closes. */
  public PisteFilter(Piste piste) {
    this.piste = piste;
  }

  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    ServletContext context = filterConfig.getServletContext();
    Map<String, String> initParams = new HashMap<>();
    for (String name : Collections.list(filterConfig.getInitParameterNames())) {
      if (name.startsWith("piste.")) {
        initParams.put(name, filterConfig.getInitParameter(name));
      }
    }
    if (piste == null && context.getAttribute(Piste.CONTEXT_ATTRIBUTE) instanceof Piste shared) {
      piste = shared;
    }
    PisteConfig config;
    if (piste == null) {
      config = PisteConfig.builder()
          .contextParameters(PisteServletContextListener.contextParameters(context))
          .initParameters(initParams)
          .build();
      piste = Piste.create(config).start();
      owned = true;
      context.setAttribute(Piste.CONTEXT_ATTRIBUTE, piste);
    } else if (!initParams.isEmpty()) {
      config = piste.config().toBuilder().initParameters(initParams).build();
      for (String name : new TreeSet<>(initParams.keySet())) {
        if (!FILTER_KEYS.contains(name) && !name.startsWith("piste.audit.body.")) {
          LOG.warn("filter init-param {} is ignored: this filter uses the application's engine,"
              + " configured by the context-params (only the path rules and body capture are the"
              + " filter's own)", name);
        }
      }
    } else {
      config = piste.config();
    }
    rules = PathRules.compile(
        config.get(TokenKeys.PUBLIC_PATHS), config.get(TokenKeys.SCOPE_RULES),
        config.get(RateLimitKeys.RULES), config.get(AuditKeys.EXCLUDE_PATHS),
        TokenKeys.PUBLIC_PATHS.name(), TokenKeys.SCOPE_RULES.name(), RateLimitKeys.RULES.name(),
        AuditKeys.EXCLUDE_PATHS.name());
    pipeline = piste.pipeline();
    bodies = BodyCapture.Policy.of(config);
    documents = piste.catalogDocuments();
    if (documents.openApi() == null) {
      ApiDescriptor api = ConfigDescriber.describe(config, rules);
      if (api != null) {
        piste.describe(api);
      }
    }
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (req instanceof HttpServletRequest r && res instanceof HttpServletResponse w
        && req.getDispatcherType() == DispatcherType.REQUEST && serveDocument(r, w)) {
      return;
    }
    if (pipeline.enabled() && req.getDispatcherType() == DispatcherType.REQUEST
        && req.getAttribute(EXCHANGE_ATTRIBUTE) instanceof Exchange outer
        && req instanceof HttpServletRequest r && res instanceof HttpServletResponse w) {
      // behind another PisteFilter, which enforced, rate-limits and audits this request: this
      // filter's own rules add their credential and scope requirements, as a JAX-RS method does
      Problem problem = pipeline.authorize(outer,
          rules.policyFor(outer.request().method(), outer.request().path()));
      if (problem != null) {
        Responses.writeProblem(r, w, problem);
        return;
      }
      chain.doFilter(req, res);
      return;
    }
    if (!pipeline.enabled() || !(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)
        || req.getDispatcherType() != DispatcherType.REQUEST
        || req.getAttribute(EXCHANGE_ATTRIBUTE) != null) {
      // an async dispatch of an enforced request: the application still sees its caller
      if (req.getDispatcherType() == DispatcherType.ASYNC && req instanceof HttpServletRequest r
          && req.getAttribute(EXCHANGE_ATTRIBUTE) instanceof Exchange ex && ex.caller() != null
          && !(r.getUserPrincipal() instanceof Caller)) {
        chain.doFilter(new CallerRequest(r, ex.caller()), res);
        return;
      }
      chain.doFilter(req, res);
      return;
    }
    ServletRequestView view = ServletRequestView.of(request);
    Exchange ex = pipeline.begin(view, rules.policyFor(view.method(), view.path()));
    request.setAttribute(EXCHANGE_ATTRIBUTE, ex);
    // a JAX-RS feature behind this filter finds the exchange and adds only its method's scopes
    view.enforcedOutside(ex);
    if (request.getAttribute(Piste.REQUEST_VIEW_ATTRIBUTE) == null) {
      request.setAttribute(Piste.REQUEST_VIEW_ATTRIBUTE, view);
    }
    Throwable error = null;
    boolean async = false;
    CountingResponse counted = null;
    BodyCapture capture = null;
    long problemBytes = -1;
    try {
      Problem problem = pipeline.enforce(ex);
      Responses.addHeaders(response, ex);
      if (problem != null) {
        Responses.writeProblem(request, response, problem);
        problemBytes = problem.body().length;
        return;
      }
      Caller caller = ex.caller();
      request.setAttribute(Caller.REQUEST_ATTRIBUTE, caller);
      counted = new CountingResponse(response, ex);
      CallerRequest withCaller = new CallerRequest(request, caller);
      HttpServletRequest app = withCaller;
      // the header itself: Jetty's getContentType() throws for a charset it does not know
      capture = bodies.enabled() ? bodies.start(request.getHeader("Content-Type")) : null;
      if (capture != null) {
        app = new CapturingRequest(app, capture);
      }
      withCaller.asyncWith(app, counted);
      chain.doFilter(app, counted);
      if (request.isAsyncStarted()) {
        try {
          request.getAsyncContext().addListener(
              new CompleteOnAsyncEnd(pipeline, ex, request, counted, capture));
          async = true;
        } catch (IllegalStateException e) {
          // completed meanwhile, from the thread that completed it: recorded below, now
        }
      }
    } catch (IOException | ServletException | RuntimeException | Error e) {
      error = e;
      throw e;
    } finally {
      if (async) {
        Pipeline.leaveThread();
      } else {
        int status = error != null ? 500 : response.getStatus();
        if (capture != null) {
          capture.finish(ex);
        }
        pipeline.complete(ex, status, request.getContentLengthLong(),
            counted != null ? counted.count() : problemBytes, error);
      }
    }
  }

  /** Answers the OpenAPI document and the RFC 9727 API catalog, both public. */
  private boolean serveDocument(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String path = request.getPathInfo() == null ? request.getServletPath()
        : request.getServletPath() + request.getPathInfo();
    if (!documents.isDocumentPath(path)) {
      return false;
    }
    int port = request.getServerPort();
    boolean defaultPort = port < 0 || ("http".equals(request.getScheme()) && port == 80)
        || ("https".equals(request.getScheme()) && port == 443);
    String base = request.getScheme() + "://" + request.getServerName()
        + (defaultPort ? "" : ":" + port) + request.getContextPath();
    CatalogDocuments.Document doc = documents.find(request.getMethod(), path, base);
    if (doc == null) {
      return false;
    }
    response.setStatus(200);
    response.setContentType(doc.contentType());
    if (doc.link() != null) {
      response.setHeader("Link", doc.link());
    }
    response.setContentLength(doc.body().length);
    response.getOutputStream().write(doc.body());
    return true;
  }

  @Override
  public void destroy() {
    if (owned && piste != null) {
      piste.close();
    }
  }

  /** Audits an async request when it completes, times out or fails. */
  private static final class CompleteOnAsyncEnd implements AsyncListener {
    private final Pipeline pipeline;
    private final Exchange exchange;
    private final HttpServletRequest request;
    private final CountingResponse counted;
    private final BodyCapture capture;

    CompleteOnAsyncEnd(Pipeline pipeline, Exchange exchange, HttpServletRequest request,
        CountingResponse counted, BodyCapture capture) {
      this.pipeline = pipeline;
      this.exchange = exchange;
      this.request = request;
      this.counted = counted;
      this.capture = capture;
    }

    private void captured() {
      if (capture != null) {
        capture.finish(exchange);
      }
    }

    /** The failure a timeout or an error reported, recorded with the status the client got. */
    private volatile Throwable failure;

    @Override
    public void onComplete(AsyncEvent event) {
      HttpServletResponse r = (HttpServletResponse) event.getSuppliedResponse();
      captured();
      pipeline.complete(exchange, r.getStatus(), request.getContentLengthLong(), counted.count(),
          failure);
    }

    /**
     * Recorded at {@link #onComplete}, which follows: the container answers a timeout no listener
     * handled (500 in Jetty), or a listener of the application answers it, after this call.
     */
    @Override
    public void onTimeout(AsyncEvent event) {
      failure = event.getThrowable();
    }

    @Override
    public void onError(AsyncEvent event) {
      failure = event.getThrowable();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }

}
