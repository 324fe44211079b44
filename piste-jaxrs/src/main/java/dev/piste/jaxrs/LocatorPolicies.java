package dev.piste.jaxrs;

import dev.piste.annotation.Public;
import dev.piste.annotation.RequiresScopes;
import dev.piste.core.internal.pipeline.OperationPolicy;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The policy of one resource method when a request reaches it through sub-resource locators: the
 * scopes each locator on the way requires (its own {@code @RequiresScopes}, else its class's, as
 * for an operation) are required in addition to the method's own, and {@code @Public} does not
 * pass through a locator that requires scopes. The method's rate limits and audit setting are its
 * own. The path template is the whole one, from the root resource's {@code @Path} down.
 *
 * <p>The request tells which resources it matched ({@code UriInfo.getMatchedResources()}), not
 * which locator methods: the locators of each resource that can return the next one are its
 * candidates, and the request path chooses among them. The candidates of a chain of classes are
 * worked out once; a request through locators only matches its path against them.
 */
final class LocatorPolicies {

  /** At most this many chains of classes are kept; any further one is worked out per request. */
  private static final int MAX_CHAINS = 64;

  private final OperationPolicy own;
  private final Method method;
  private final ConcurrentHashMap<List<Class<?>>, List<Route>> routes = new ConcurrentHashMap<>();

  /** One way to the method: the whole path it answers and the policy that holds on it. */
  private record Route(Pattern path, OperationPolicy policy) {}

  LocatorPolicies(OperationPolicy own, Method method) {
    this.own = own;
    this.method = method;
  }

  /**
   * The policy on this request's way to the method.
   *
   * @param matched the matched resources, current first (at least two: a locator was used)
   * @param path the request path relative to the application's base URI
   */
  OperationPolicy policy(List<Object> matched, String path) {
    List<Class<?>> chain = new ArrayList<>(matched.size());
    for (Object o : matched) {
      chain.add(o.getClass());
    }
    List<Route> rs = routes.get(chain);
    if (rs == null) {
      rs = routes(chain);
      if (routes.size() < MAX_CHAINS) {
        routes.putIfAbsent(List.copyOf(chain), rs);
      }
    }
    String p = strip(path);
    List<Route> hits = new ArrayList<>(1);
    for (Route r : rs) {
      if (r.path().matcher(p).matches()) {
        hits.add(r);
      }
    }
    // a path no route explains (or that several explain) gets what all of them require
    List<Route> chosen = hits.isEmpty() ? rs : hits;
    OperationPolicy out = chosen.get(0).policy();
    for (int i = 1; i < chosen.size(); i++) {
      out = strictest(out, chosen.get(i).policy());
    }
    return out;
  }

  /** Every way through the locators of these classes (current first, root last) to the method. */
  private List<Route> routes(List<Class<?>> chain) {
    Class<?> root = chain.get(chain.size() - 1);
    Path rootPath = root.getAnnotation(Path.class);
    List<Way> ways = List.of(new Way(rootPath == null ? "" : rootPath.value(), Set.of()));
    for (int i = chain.size() - 1; i >= 1; i--) {
      Class<?> parent = chain.get(i);
      Class<?> child = chain.get(i - 1);
      List<Way> next = new ArrayList<>();
      List<Method> locators = locators(parent, child);
      for (Way w : ways) {
        if (locators.isEmpty()) {
          // no method of the parent explains the child: its class's requirement still holds
          next.add(w.then("{rest: .*}", classScopes(parent)));
        }
        for (Method l : locators) {
          Path lp = PisteFeature.jaxrsAnnotated(l).getAnnotation(Path.class);
          OperationPolicy lpol = PisteFeature.policyOf(parent, l);
          next.add(w.then(lp.value(), lpol.publicOperation() ? Set.of() : lpol.scopes()));
        }
      }
      ways = next;
    }
    Path mp = PisteFeature.jaxrsAnnotated(method).getAnnotation(Path.class);
    List<Route> out = new ArrayList<>();
    for (Way w : ways) {
      Way whole = mp == null ? w : w.then(mp.value(), Set.of());
      out.add(new Route(Pattern.compile(regex(whole.template())), combine(whole)));
    }
    return List.copyOf(out);
  }

  /** A path template so far and the scopes the locators on it require. */
  private record Way(String template, Set<String> scopes) {
    Way then(String segment, Set<String> more) {
      Set<String> s = new LinkedHashSet<>(scopes);
      s.addAll(more);
      return new Way(template + "/" + segment, s);
    }
  }

  private OperationPolicy combine(Way way) {
    Set<String> scopes = new LinkedHashSet<>(way.scopes());
    if (!own.publicOperation()) {
      scopes.addAll(own.scopes());
    }
    boolean isPublic = own.publicOperation() && way.scopes().isEmpty();
    return new OperationPolicy(own.operationId(), ResourceModelDescriber.normalise(way.template()),
        isPublic, scopes, own.limits(), own.audited());
  }

  private static OperationPolicy strictest(OperationPolicy a, OperationPolicy b) {
    Set<String> scopes = new LinkedHashSet<>(a.scopes());
    scopes.addAll(b.scopes());
    return new OperationPolicy(a.operationId(), a.pathTemplate(),
        a.publicOperation() && b.publicOperation(), scopes, a.limits(), a.audited());
  }

  private static Set<String> classScopes(Class<?> type) {
    Class<?> t = PisteFeature.annotatedType(type);
    RequiresScopes rs = t.getAnnotation(RequiresScopes.class);
    return rs == null || t.isAnnotationPresent(Public.class) ? Set.of() : Set.of(rs.value());
  }

  /** The sub-resource locators of {@code parent} that can return a {@code child}. */
  static List<Method> locators(Class<?> parent, Class<?> child) {
    List<Method> out = new ArrayList<>();
    for (Method m : parent.getMethods()) {
      if (m.isBridge() || m.isSynthetic() || Modifier.isStatic(m.getModifiers())
          || !m.getReturnType().isAssignableFrom(child)) {
        continue;
      }
      Method jm = PisteFeature.jaxrsAnnotated(m);
      if (jm.isAnnotationPresent(Path.class) && !httpMethod(jm)) {
        out.add(m);
      }
    }
    return out;
  }

  private static boolean httpMethod(Method m) {
    for (Annotation a : m.getAnnotations()) {
      if (a.annotationType().isAnnotationPresent(HttpMethod.class)) {
        return true;
      }
    }
    return false;
  }

  private static String strip(String path) {
    int from = 0;
    int to = path.length();
    while (from < to && path.charAt(from) == '/') {
      from++;
    }
    while (to > from && path.charAt(to - 1) == '/') {
      to--;
    }
    return path.substring(from, to);
  }

  /**
   * A JAX-RS path template as a regular expression over a path without leading or trailing
   * slashes: {@code {name}} is one segment, {@code {name: regex}} its regex, the rest literal.
   */
  static String regex(String template) {
    StringBuilder out = new StringBuilder();
    String t = template.replaceAll("/{2,}", "/");
    int i = 0;
    int n = t.length();
    while (i < n && t.charAt(i) == '/') {
      i++;
    }
    while (n > i && t.charAt(n - 1) == '/') {
      n--;
    }
    int literal = i;
    while (i < n) {
      char c = t.charAt(i);
      if (c != '{') {
        i++;
        continue;
      }
      if (i > literal) {
        out.append(Pattern.quote(t.substring(literal, i)));
      }
      int depth = 1;
      int j = i + 1;
      while (j < n && depth > 0) {
        char d = t.charAt(j);
        if (d == '{') {
          depth++;
        } else if (d == '}') {
          depth--;
        }
        j++;
      }
      String inside = t.substring(i + 1, Math.max(i + 1, j - 1));
      int colon = inside.indexOf(':');
      out.append("(?:").append(colon < 0 ? "[^/]+" : inside.substring(colon + 1).trim()).append(')');
      i = j;
      literal = j;
    }
    if (n > literal) {
      out.append(Pattern.quote(t.substring(literal, n)));
    }
    return out.toString();
  }
}
