package dev.piste.jaxrs;

import dev.piste.annotation.Public;
import dev.piste.annotation.RequiresScopes;
import dev.piste.core.internal.pipeline.OperationPolicy;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.UriInfo;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policy of one resource method when a request reaches it through sub-resource locators: the
 * scopes each locator on the way requires (its own {@code @RequiresScopes}, else its class's, as
 * for an operation) are required in addition to the method's own, and {@code @Public} does not
 * pass through a locator that requires scopes. The method's rate limits and audit setting are its
 * own; the path template is the whole one, from the root resource's {@code @Path} down.
 *
 * <p>The request's matched resources ({@code UriInfo.getMatchedResources()}) give the classes on
 * the way. On Jersey, its {@code ExtendedUriInfo} gives the very locators that were invoked. On
 * another runtime, which does not tell, every locator of a class that can return the next one
 * counts: their scopes are all required (never fewer than the locator used).
 */
final class LocatorPolicies {

  /** At most this many ways are kept; any further one is worked out per request (linear in depth). */
  private static final int MAX_KEPT = 64;

  static final boolean JERSEY = present("org.glassfish.jersey.server.ExtendedUriInfo");

  /** The scopes of each locator (or class), read from its annotations once. */
  private static final ConcurrentHashMap<List<Object>, Set<String>> REQUIRED =
      new ConcurrentHashMap<>();
  private static final int MAX_LOCATORS = 4096;

  private final OperationPolicy own;
  private final Method method;
  private final ConcurrentHashMap<List<?>, OperationPolicy> kept = new ConcurrentHashMap<>();

  LocatorPolicies(OperationPolicy own, Method method) {
    this.own = own;
    this.method = method;
  }

  /**
   * The policy on this request's way to the method.
   *
   * @param matched the matched resources, current first (at least two: a locator was used)
   */
  OperationPolicy policy(UriInfo uri, List<Object> matched) {
    List<Class<?>> chain = new ArrayList<>(matched.size());
    for (Object o : matched) {
      chain.add(o.getClass());
    }
    List<Method> invoked = JERSEY ? JerseyLocators.invoked(uri) : null;
    if (invoked != null && invoked.size() != chain.size() - 1) {
      invoked = null;
    }
    List<?> key = List.of(chain, invoked == null ? List.of() : invoked);
    OperationPolicy p = kept.get(key);
    if (p == null) {
      p = invoked != null ? exact(chain, invoked) : strictest(chain);
      if (kept.size() < MAX_KEPT) {
        kept.putIfAbsent(key, p);
      }
    }
    return p;
  }

  /** The policy through these locators ({@code invoked.get(i)} returned {@code chain.get(i)}). */
  private OperationPolicy exact(List<Class<?>> chain, List<Method> invoked) {
    StringBuilder template = new StringBuilder(path(chain.get(chain.size() - 1)));
    Set<String> scopes = new LinkedHashSet<>();
    for (int i = chain.size() - 1; i >= 1; i--) {
      Method locator = invoked.get(i - 1);
      scopes.addAll(required(chain.get(i), locator));
      template.append('/').append(path(locator));
    }
    template.append('/').append(path(method));
    return combine(scopes, ResourceModelDescriber.normalise(template.toString()));
  }

  /** Without the invoked locators: what every locator that can return each class requires. */
  private OperationPolicy strictest(List<Class<?>> chain) {
    Set<String> scopes = new LinkedHashSet<>();
    for (int i = chain.size() - 1; i >= 1; i--) {
      List<Method> candidates = locators(chain.get(i), chain.get(i - 1));
      if (candidates.isEmpty()) {
        scopes.addAll(required(chain.get(i), null));
      }
      for (Method l : candidates) {
        scopes.addAll(required(chain.get(i), l));
      }
    }
    return combine(scopes, own.pathTemplate());
  }

  private OperationPolicy combine(Set<String> guard, String pathTemplate) {
    Set<String> scopes = new LinkedHashSet<>(guard);
    if (!own.publicOperation()) {
      scopes.addAll(own.scopes());
    }
    // the limits are the method's own, and so is their bucket, whichever way leads to it
    return new OperationPolicy(own.operationId(), pathTemplate,
        own.publicOperation() && guard.isEmpty(), scopes, own.limits(), own.audited(), own.bucket());
  }

  /**
   * The scopes a locator requires, read as for an operation: its own {@code @RequiresScopes}, else
   * its class's; none under {@code @Public}. With no locator, its class's. The describer reads them
   * here too, so that the document says what the filter enforces.
   */
  static Set<String> required(Class<?> type, Method locator) {
    List<Object> key = locator == null ? List.of(type) : List.of(type, locator);
    Set<String> s = REQUIRED.get(key);
    if (s == null) {
      s = locator != null ? scopes(PisteFeature.policyOf(type, locator)) : classScopes(type);
      if (REQUIRED.size() < MAX_LOCATORS) {
        REQUIRED.putIfAbsent(key, s);
      }
    }
    return s;
  }

  private static Set<String> scopes(OperationPolicy p) {
    return p.publicOperation() ? Set.of() : p.scopes();
  }

  /** What a class's own annotations require of the operations under it. */
  private static Set<String> classScopes(Class<?> resourceType) {
    Class<?> type = PisteFeature.annotatedType(resourceType);
    RequiresScopes rs = type.getAnnotation(RequiresScopes.class);
    return rs == null || type.isAnnotationPresent(Public.class) ? Set.of() : Set.of(rs.value());
  }

  private static String path(Class<?> type) {
    Path p = type.getAnnotation(Path.class);
    return p == null ? "" : p.value();
  }

  private static String path(Method m) {
    Path p = PisteFeature.jaxrsAnnotated(m).getAnnotation(Path.class);
    return p == null ? "" : p.value();
  }

  /** The sub-resource locators of {@code parent} that can return a {@code child} (or a class). */
  static List<Method> locators(Class<?> parent, Class<?> child) {
    List<Method> out = new ArrayList<>();
    for (Method m : parent.getMethods()) {
      Class<?> r = m.getReturnType();
      if (m.isBridge() || m.isSynthetic() || Modifier.isStatic(m.getModifiers())
          || !(r.isAssignableFrom(child) || r == Class.class)) {
        continue;
      }
      Method jm = PisteFeature.jaxrsAnnotated(m);
      if (jm.isAnnotationPresent(Path.class) && ResourceModelDescriber.httpMethod(jm) == null) {
        out.add(m);
      }
    }
    return out;
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, LocatorPolicies.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
