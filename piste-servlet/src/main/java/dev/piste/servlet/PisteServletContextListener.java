package dev.piste.servlet;

import dev.piste.PisteConfigurationException;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.pipeline.Pipeline;
import dev.piste.core.internal.pipeline.RequestView;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
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
      jakarta.servlet.ServletRequest request = event.getServletRequest();
      request.setAttribute(Piste.CONTEXT_ATTRIBUTE, p);
      if (p.enabled() && request instanceof jakarta.servlet.http.HttpServletRequest http) {
        request.setAttribute(Piste.REQUEST_VIEW_ATTRIBUTE, new ServletRequestView(http, true));
      }
    }
  }

  /**
   * Ends the exchange a JAX-RS filter began on this request, the response now written: records
   * the audit event its response filter left waiting, or completes as a 500 an exchange that never
   * reached its response filter (an exception no mapper handled), so that the request is still
   * audited.
   */
  @Override
  public void requestDestroyed(ServletRequestEvent event) {
    Piste p = piste;
    if (p != null
        && event.getServletRequest().getAttribute(Piste.REQUEST_VIEW_ATTRIBUTE) instanceof RequestView v
        && v.exchange() != null) {
      Pipeline.recordDeferred(v.exchange());
      p.pipeline().complete(v.exchange(), 500, -1, -1, null);
    }
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
