package dev.piste.jaxrs;

import dev.piste.annotation.PisteApi;
import dev.piste.catalog.ApiDescriptor;
import dev.piste.core.Piste;
import dev.piste.core.internal.catalog.CatalogDocuments;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The catalog side of {@link PisteFeature}: describes the API from the resource classes at
 * deployment ({@link ResourceModelDescriber}) and serves the OpenAPI document and the RFC 9727
 * API catalog, both public, from a pre-matching filter.
 *
 * <p>The resource classes are the configuration's {@code @Path} classes and instances when the
 * feature is configured, plus any class a resource method later shows; the application class
 * (for {@code @PisteApi}) is the configuration's own class when it is annotated, else the
 * annotated {@code Application} subclass whose constructor created the feature (a Jersey
 * {@code ResourceConfig} subclass calling {@code register(new PisteFeature(piste))}); otherwise
 * {@code @PisteApi} on a resource class or the {@code piste.api.*} keys name the API. With the
 * no-arg {@link PisteFeature}, the engine is only found at the first request, and the API is
 * described then.
 *
 * <p>The documents are served under the JAX-RS base ({@code @ApplicationPath} or the servlet
 * mapping included), the base the described paths are relative to.
 */
final class CatalogSupport {

  private final Piste fixed;
  private final Set<Class<?>> resources = new LinkedHashSet<>();
  private Class<?> application;
  private final Class<?> constructingApplication;
  private ApiDescriptor described;

  CatalogSupport(Piste fixed) {
    this.fixed = fixed;
    this.constructingApplication = constructingApplication();
  }

  /** Feature time: remembers the application and its resources, registers the documents filter. */
  void configure(FeatureContext context) {
    Configuration config = context.getConfiguration();
    synchronized (this) {
      application = config.getClass().isAnnotationPresent(PisteApi.class)
          ? config.getClass() : constructingApplication;
      for (Class<?> c : config.getClasses()) {
        if (c.isAnnotationPresent(Path.class)) {
          resources.add(c);
        }
      }
      for (Object o : config.getInstances()) {
        if (o.getClass().isAnnotationPresent(Path.class)) {
          resources.add(o.getClass());
        }
      }
    }
    context.register(new DocumentsFilter(this), Priorities.AUTHENTICATION - 100);
    if (fixed != null) {
      describe(fixed);
    }
  }

  /** Deployment time, per resource method: a class the configuration did not list re-describes. */
  void resource(Class<?> type) {
    boolean added;
    synchronized (this) {
      added = type.isAnnotationPresent(Path.class) && resources.add(type);
    }
    if (added && fixed != null && described != null) {
      describe(fixed);
    }
  }

  private void describe(Piste piste) {
    ApiDescriptor api;
    synchronized (this) {
      api = ResourceModelDescriber.describe(application, resources, piste.config());
      if (api == null || api.equals(described)) {
        return;
      }
      described = api;
    }
    piste.describe(api);
  }

  private synchronized boolean isDescribed() {
    return described != null;
  }

  /**
   * The annotated {@code Application} subclass whose constructor creates the feature, as in
   * {@code register(new PisteFeature(piste))} inside a Jersey {@code ResourceConfig} subclass:
   * the portable API gives a feature no handle on its application.
   */
  private static Class<?> constructingApplication() {
    return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
        .map(StackWalker.StackFrame::getDeclaringClass)
        .filter(c -> Application.class.isAssignableFrom(c) && c.isAnnotationPresent(PisteApi.class))
        .findFirst().orElse(null));
  }

  /** Answers GET and HEAD of the two documents before any resource matching. */
  @PreMatching
  static final class DocumentsFilter implements ContainerRequestFilter {
    private final CatalogSupport support;

    DocumentsFilter(CatalogSupport support) {
      this.support = support;
    }

    @Override
    public void filter(ContainerRequestContext request) {
      Piste piste = support.fixed;
      if (piste == null && request.getProperty(Piste.CONTEXT_ATTRIBUTE) instanceof Piste p) {
        piste = p;
        if (!support.isDescribed()) {
          support.describe(p);
        }
      }
      if (piste == null) {
        return;
      }
      String path = request.getUriInfo().getPath(true);
      CatalogDocuments docs = piste.catalogDocuments();
      if (!docs.isDocumentPath(path)) {
        return;
      }
      path = path.startsWith("/") ? path : "/".concat(path);
      String base = request.getUriInfo().getBaseUri().toString();
      CatalogDocuments.Document doc = docs.find(request.getMethod(), path, base);
      if (doc != null) {
        request.abortWith(Response.ok(doc.body()).header(HttpHeaders.CONTENT_TYPE, doc.contentType())
            .header(HttpHeaders.LINK, doc.link()).build());
      }
    }
  }
}
