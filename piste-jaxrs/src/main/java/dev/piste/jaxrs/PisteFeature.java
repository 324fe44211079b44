package dev.piste.jaxrs;

import dev.piste.annotation.Audited;
import dev.piste.annotation.NoAudit;
import dev.piste.annotation.Public;
import dev.piste.annotation.RateLimit;
import dev.piste.annotation.RequiresScopes;
import dev.piste.core.Piste;
import dev.piste.core.internal.Messages;
import dev.piste.core.internal.config.ValueType;
import dev.piste.core.internal.pipeline.OperationLimit;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.ratelimit.Limit;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Enforces the PISTE annotations on JAX-RS resource methods: {@code @RequiresScopes}, {@code @Public},
 * {@code @RateLimit}, {@code @Audited} and {@code @NoAudit} (a method annotation overrides its class
 * annotation). Every resource method without {@code @Public} needs a valid credential.
 *
 * <p>At deployment it computes one policy per resource method and registers one filter for it at
 * {@link Priorities#AUTHENTICATION}; nothing is reflected upon per request. Misused annotations fail
 * the deployment with a message naming the method ({@code InvoiceResource.create}).
 *
 * <p>A request that no resource method matches (routing's 404, 405, 406 or 415) is rate-limited
 * and audited as an operation {@code unmatched}; a 404 needs a credential.
 *
 * <p>Register {@code new PisteFeature(piste)}, or {@code PisteFeature.class} in an application whose
 * web.xml declares the {@code PisteServletContextListener} (the engine is then found there). The
 * caller is {@code SecurityContext.getUserPrincipal()} (a {@link dev.piste.Caller}), and
 * {@code isUserInRole(scope)} answers from its scopes, so {@code @RolesAllowed} works too.
 */
public final class PisteFeature implements DynamicFeature, Feature {

  private final Piste piste;
  private final CatalogSupport catalog;

  /** A proxy to the current request's servlet request, injected by the JAX-RS runtime. */
  @Context
  private HttpServletRequest servletRequest;

  /** Finds the application's engine at the first request (ServletContext attribute). */
  public PisteFeature() {
    this.piste = null;
    this.catalog = new CatalogSupport(null);
  }

  /** Uses this engine. */
  public PisteFeature(Piste piste) {
    this.piste = java.util.Objects.requireNonNull(piste, "piste");
    this.catalog = new CatalogSupport(piste);
  }

  /**
   * Describes the API from the resource classes for the catalog and serves its OpenAPI document
   * ({@code piste.catalog.openapi-path}) and {@code /.well-known/api-catalog}, both public.
   */
  @Override
  public boolean configure(FeatureContext context) {
    catalog.configure(context);
    Object forward = context.getConfiguration().getProperty(FORWARD_ON_404);
    context.register(new OperationFilter.Routed(), Integer.MAX_VALUE);
    context.register(new OperationFilter.Unmatched(piste, this::remoteAddress,
        forward != null && Boolean.parseBoolean(forward.toString())), Priorities.AUTHENTICATION);
    return true;
  }

  @Override
  public void configure(ResourceInfo resourceInfo, FeatureContext context) {
    Method method = resourceInfo.getResourceMethod();
    Class<?> type = resourceInfo.getResourceClass();
    if (method == null || type == null) {
      return;
    }
    OperationPolicy policy = jerseyGenerated(type) ? GENERATED_OPTIONS : policyOf(type, method);
    context.register(new OperationFilter(policy, method, piste, this::remoteAddress),
        Priorities.AUTHENTICATION);
    context.register(WRITE_FAILURES, Priorities.AUTHENTICATION);
    catalog.resource(type);
  }

  private String remoteAddress() {
    HttpServletRequest r = servletRequest;
    return r == null ? null : r.getRemoteAddr();
  }

  private static final WriteFailures WRITE_FAILURES = new WriteFailures();

  /** Jersey's {@code ServletProperties.FILTER_FORWARD_ON_404}, read without depending on it. */
  static final String FORWARD_ON_404 = "jersey.config.servlet.filter.forwardOn404";

  /**
   * Jersey's own handler of {@code OPTIONS} (the {@code Allow} header of a path), which it adds to
   * every resource: an operation of the API like the others, named {@code OPTIONS} rather than
   * after Jersey's class, and of no known template.
   */
  static final OperationPolicy GENERATED_OPTIONS = OperationPolicy.authenticated("OPTIONS", null);

  /** Whether a resource class is Jersey's own (its generated {@code OPTIONS} handler). */
  static boolean jerseyGenerated(Class<?> type) {
    return type.getName().startsWith("org.glassfish.jersey.");
  }

  /** The annotations this feature reads. */
  private static final List<Class<? extends Annotation>> PISTE_ANNOTATIONS =
      List.of(Public.class, RequiresScopes.class, RateLimit.class, Audited.class, NoAudit.class);

  /**
   * A class and its supertypes, nearest first, superclasses before interfaces ({@code Object} left
   * out): the order in which JAX-RS looks for inherited annotations (spec 3.6).
   */
  private static List<Class<?>> hierarchy(Class<?> type) {
    List<Class<?>> out = new ArrayList<>();
    Deque<Class<?>> todo = new ArrayDeque<>(List.of(type));
    while (!todo.isEmpty()) {
      Class<?> c = todo.poll();
      if (c == Object.class || out.contains(c)) {
        continue;
      }
      out.add(c);
      if (c.getSuperclass() != null) {
        todo.add(c.getSuperclass());
      }
      todo.addAll(List.of(c.getInterfaces()));
    }
    return out;
  }

  /**
   * The first of a method and the methods it overrides or implements, in {@link #hierarchy} order,
   * that carries an annotation {@code wanted} accepts; the method itself when none does.
   */
  private static Method inherited(Method method, Predicate<Annotation> wanted) {
    for (Class<?> c : hierarchy(method.getDeclaringClass())) {
      Method m = c == method.getDeclaringClass() ? method : declared(c, method);
      if (m != null && Arrays.stream(m.getAnnotations()).anyMatch(wanted)) {
        return m;
      }
    }
    return method;
  }

  private static boolean piste(Annotation a) {
    return PISTE_ANNOTATIONS.contains(a.annotationType());
  }

  /**
   * The method whose PISTE annotations hold for a resource method: the method itself when it
   * carries one, else the first method it overrides or implements that does, as JAX-RS inherits
   * its own annotations. Scopes declared on an interface method hold for its implementation.
   */
  static Method annotatedMethod(Method method) {
    return inherited(method, PisteFeature::piste);
  }

  /** The class whose PISTE annotations hold for a resource class, found the same way. */
  static Class<?> annotatedType(Class<?> type) {
    for (Class<?> c : hierarchy(type)) {
      if (Arrays.stream(c.getAnnotations()).anyMatch(PisteFeature::piste)) {
        return c;
      }
    }
    return type;
  }

  /** The method whose JAX-RS annotations ({@code @GET}, {@code @Path}, parameters…) hold. */
  static Method jaxrsAnnotated(Method method) {
    return inherited(method, a -> a.annotationType().getPackageName().equals("jakarta.ws.rs")
        || a.annotationType().isAnnotationPresent(HttpMethod.class));
  }

  private static Method declared(Class<?> c, Method m) {
    try {
      Method d = c.getDeclaredMethod(m.getName(), m.getParameterTypes());
      return Modifier.isPrivate(d.getModifiers()) ? null : d;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /** The policy of one resource method; throws {@link IllegalStateException} on misuse. */
  static OperationPolicy policyOf(Class<?> resourceType, Method resourceMethod) {
    String where = resourceType.getSimpleName() + "." + resourceMethod.getName();
    Method method = annotatedMethod(resourceMethod);
    Class<?> type = annotatedType(resourceType);
    if (method.isAnnotationPresent(Public.class) && method.isAnnotationPresent(RequiresScopes.class)) {
      throw new IllegalStateException(Messages.conflictingAnnotations(where, "@Public", "@RequiresScopes"));
    }
    if (type.isAnnotationPresent(Public.class) && type.isAnnotationPresent(RequiresScopes.class)) {
      throw new IllegalStateException(Messages.conflictingAnnotations(resourceType.getSimpleName(),
          "@Public", "@RequiresScopes"));
    }
    if (method.isAnnotationPresent(Audited.class) && method.isAnnotationPresent(NoAudit.class)) {
      throw new IllegalStateException(Messages.conflictingAnnotations(where, "@Audited", "@NoAudit"));
    }
    boolean isPublic;
    Set<String> scopes = new LinkedHashSet<>();
    RequiresScopes rs;
    if (method.isAnnotationPresent(Public.class)) {
      isPublic = true;
      rs = null;
    } else if ((rs = method.getAnnotation(RequiresScopes.class)) != null) {
      isPublic = false;
    } else {
      isPublic = type.isAnnotationPresent(Public.class);
      rs = isPublic ? null : type.getAnnotation(RequiresScopes.class);
    }
    if (rs != null) {
      for (String s : rs.value()) {
        if (s == null || s.isBlank() || s.chars().anyMatch(c -> c <= 0x20 || c == '"' || c == '\\' || c > 0x7E)) {
          throw new IllegalStateException(Messages.badScope(where, s));
        }
        scopes.add(s);
      }
    }
    RateLimit rl = method.getAnnotation(RateLimit.class);
    if (rl == null) {
      rl = type.getAnnotation(RateLimit.class);
    }
    List<OperationLimit> limits = List.of();
    if (rl != null) {
      List<Limit> parsed;
      try {
        parsed = ValueType.parseLimits(rl.value());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(Messages.badRateLimit(where, rl.value()));
      }
      long capacity = OperationLimit.capacity(parsed);
      if (rl.cost() > capacity) {
        throw new IllegalStateException(
            Messages.rateLimitCostAboveCapacity(where, rl.value(), rl.cost(), capacity));
      }
      try {
        limits = List.of(new OperationLimit(parsed, OperationLimit.perName(rl.per()), rl.cost(),
            rl.shared()));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(Messages.badRateLimit(where, rl.value()));
      }
    }
    boolean audited;
    if (method.isAnnotationPresent(NoAudit.class)) {
      audited = false;
    } else if (method.isAnnotationPresent(Audited.class)) {
      audited = true;
    } else {
      audited = !type.isAnnotationPresent(NoAudit.class);
    }
    return new OperationPolicy(where, pathTemplate(resourceType, resourceMethod), isPublic, scopes,
        limits, audited);
  }

  static String pathTemplate(Class<?> type, Method method) {
    StringBuilder sb = new StringBuilder();
    Path classPath = type.getAnnotation(Path.class);
    Path methodPath = jaxrsAnnotated(method).getAnnotation(Path.class);
    append(sb, classPath == null ? "" : classPath.value());
    append(sb, methodPath == null ? "" : methodPath.value());
    return sb.length() == 0 ? "/" : sb.toString();
  }

  private static void append(StringBuilder sb, String segment) {
    String s = segment.trim();
    if (s.isEmpty() || s.equals("/")) {
      return;
    }
    if (!s.startsWith("/")) {
      sb.append('/');
    }
    sb.append(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
  }
}
