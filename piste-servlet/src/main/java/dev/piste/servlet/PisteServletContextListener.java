package dev.piste.servlet;

import dev.piste.PisteConfigurationException;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.pipeline.Pipeline;
import dev.piste.core.internal.pipeline.RequestView;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the application's one {@link Piste} engine from the {@code piste.*} context-params (and the
 * higher-precedence sources: environment, system properties), stores it as the ServletContext
 * attribute {@link Piste#CONTEXT_ATTRIBUTE}, and closes it when the application stops (audit drain,
 * catalog deregistration). A bad configuration fails the deployment, listing every problem.
 *
 * <p>As a request listener it also exposes the engine to JAX-RS resources of the same application
 * (the request attribute {@link Piste#CONTEXT_ATTRIBUTE}), so that {@code PisteFeature} finds the same
 * engine.
 */
public final class PisteServletContextListener implements ServletContextListener, ServletRequestListener {

  private static final Logger LOG = LoggerFactory.getLogger(PisteServletContextListener.class);

  private volatile Piste piste;
  private boolean owned;

  /** For web.xml: the engine is built from the context-params. */
  public PisteServletContextListener() {}

  /** For code: shares an engine the application built; the application closes it. */
  public PisteServletContextListener(Piste piste) {
    this.piste = piste;
  }

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    if (piste == null) {
      try {
        PisteConfig config = PisteConfig.builder().contextParameters(contextParameters(context)).build();
        piste = Piste.create(config).start();
        owned = true;
      } catch (PisteConfigurationException e) {
        LOG.error("{}", e.getMessage());
        throw e;
      }
    }
    context.setAttribute(Piste.CONTEXT_ATTRIBUTE, piste);
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    event.getServletContext().removeAttribute(Piste.CONTEXT_ATTRIBUTE);
    Piste p = piste;
    if (p != null && owned) {
      p.close();
    }
  }

  @Override
  public void requestInitialized(ServletRequestEvent event) {
    Piste p = piste;
    if (p != null) {
      ServletRequest request = event.getServletRequest();
      request.setAttribute(Piste.CONTEXT_ATTRIBUTE, p);
      // each dispatch of a request (an async dispatch too) calls this: one view per request
      if (p.enabled() && request instanceof HttpServletRequest http
          && request.getAttribute(Piste.REQUEST_VIEW_ATTRIBUTE) == null) {
        request.setAttribute(Piste.REQUEST_VIEW_ATTRIBUTE, new ServletRequestView(http, true));
      }
    }
  }

  /**
   * At the end of a dispatch that did not go asynchronous, ends the exchange a JAX-RS filter began
   * on this request, the response now written: records the audit event its response filter left
   * waiting, or completes as a 500 an exchange that never reached its response filter (an
   * exception no mapper handled), so that the request is still audited. A request that went
   * asynchronous is ended the same way when it completes (its response filter, run when it was
   * resumed, has usually completed the exchange by then).
   */
  @Override
  public void requestDestroyed(ServletRequestEvent event) {
    Piste p = piste;
    ServletRequest request = event.getServletRequest();
    if (p == null || !(request.getAttribute(Piste.REQUEST_VIEW_ATTRIBUTE) instanceof RequestView v)
        || v.exchange() == null) {
      return;
    }
    if (request.isAsyncStarted()) {
      try {
        request.getAsyncContext().addListener(new AsyncEnd(p, v));
        // this thread leaves the request: another one completes it
        Pipeline.leaveThread();
        return;
      } catch (IllegalStateException e) {
        // completed meanwhile, from the thread that resumed it: end it now
      }
    }
    end(p, v);
  }

  private static void end(Piste p, RequestView v) {
    Pipeline.recordDeferred(v.exchange());
    p.pipeline().complete(v.exchange(), 500, -1, -1, null);
  }

  /** Ends, when an asynchronous request completes, an exchange its response filter did not. */
  private record AsyncEnd(Piste piste, RequestView view) implements AsyncListener {
    @Override
    public void onComplete(AsyncEvent event) {
      end(piste, view);
    }

    @Override
    public void onTimeout(AsyncEvent event) {}

    @Override
    public void onError(AsyncEvent event) {}

    @Override
    public void onStartAsync(AsyncEvent event) {}
  }

  static Map<String, String> contextParameters(ServletContext context) {
    Map<String, String> params = new HashMap<>();
    for (String name : Collections.list(context.getInitParameterNames())) {
      if (name.startsWith("piste.")) {
        params.put(name, context.getInitParameter(name));
      }
    }
    return params;
  }
}
