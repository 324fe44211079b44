package dev.piste.jaxrs;

import dev.piste.annotation.PisteApi;
import dev.piste.annotation.Public;
import dev.piste.annotation.RateLimit;
import dev.piste.annotation.RequiresScopes;
import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.OperationDescriptor;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.Messages;
import dev.piste.core.internal.catalog.ConfigDescriber;
import dev.piste.core.internal.config.CoreKeys;
import dev.piste.core.internal.config.ValueType;
import dev.piste.ratelimit.Limit;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the API's descriptor from JAX-RS resource classes, once, at deployment: {@code @Path},
 * the HTTP method annotations, {@code @PathParam}, {@code @QueryParam}, {@code @HeaderParam},
 * {@code @CookieParam} and {@code @FormParam} parameters (a {@code @BeanParam}'s too), the entity
 * parameter, {@code @Consumes} and {@code @Produces}, and the library's {@code @RequiresScopes},
 * {@code @Public},
 * {@code @RateLimit} and {@code @Deprecated}, a method annotation overriding its class's.
 * Sub-resource locators are followed through their return type. The identity comes from
 * {@code @PisteApi} on the application class, else on a resource class, else from the
 * {@code piste.api.*} keys.
 *
 * <p>The paths are relative to the JAX-RS application's base, where the feature serves the
 * OpenAPI document and its server ({@code ./}) points: the {@code @ApplicationPath} or the servlet
 * mapping that replaces it is part of that base, not of the paths.
 */
final class ResourceModelDescriber {
  private ResourceModelDescriber() {}

  private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{\\s*(\\w[\\w.-]*)\\s*}");
  private static final int MAX_LOCATOR_DEPTH = 8;

  /**
   * The descriptor of these resources, or {@code null} when neither {@code @PisteApi} nor the
   * {@code piste.api.id} and {@code piste.api.version} keys give the API an identity.
   *
   * @param application the JAX-RS {@code Application} subclass (for its {@code @PisteApi}), or
   *     {@code null}
   * @param resources the root resource classes
   * @param config the engine's configuration (identity keys, scope descriptions)
   */
  static ApiDescriptor describe(Class<?> application, Collection<Class<?>> resources,
      PisteConfig config) {
    List<Class<?>> sorted = new ArrayList<>(resources);
    sorted.sort(Comparator.comparing(Class::getName));
    PisteApi annotation = application != null ? application.getAnnotation(PisteApi.class) : null;
    for (Class<?> c : sorted) {
      if (annotation == null) {
        annotation = c.getAnnotation(PisteApi.class);
      }
    }
    ApiDescriptor.Builder api;
    if (annotation != null) {
      api = ApiDescriptor.builder(annotation.id(), annotation.version())
          .name(annotation.name()).description(annotation.description())
          .contact(annotation.contact()).lifecycle(annotation.lifecycle());
    } else if (config.get(CoreKeys.API_ID) != null && config.get(CoreKeys.API_VERSION) != null) {
      api = ConfigDescriber.identity(config, config.get(CoreKeys.API_ID),
          config.get(CoreKeys.API_VERSION));
    } else {
      return null;
    }
    Map<String, OperationDescriptor> ops = new LinkedHashMap<>();
    Set<String> ids = new HashSet<>();
    for (Class<?> resource : sorted) {
      Path path = resource.getAnnotation(Path.class);
      if (path != null) {
        collect(resource, join("/", path.value()), ops, ids, 0, Set.of());
      }
    }
    List<OperationDescriptor> list = new ArrayList<>(ops.values());
    api.operations(list);
    ConfigDescriber.describeScopes(api, list, config);
    return api.build();
  }

  /**
   * The operations of a resource class and, through its sub-resource locators, of the classes they
   * return.
   *
   * @param guard the scopes the locators on the way to this class require, as the feature
   *     requires them (see {@link LocatorPolicies})
   */
  private static void collect(Class<?> resource, String classPath,
      Map<String, OperationDescriptor> ops, Set<String> ids, int depth, Set<String> guard) {
    List<Method> methods = new ArrayList<>(List.of(resource.getMethods()));
    methods.sort(Comparator.comparing(Method::getName)
        .thenComparing(m -> m.getParameterCount()).thenComparing(Method::toGenericString));
    for (Method m : methods) {
      if (m.isBridge() || m.isSynthetic() || Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      // JAX-RS annotations may be inherited from an interface or superclass method (spec 3.6)
      Method jm = PisteFeature.jaxrsAnnotated(m);
      String httpMethod = httpMethod(jm);
      Path sub = jm.getAnnotation(Path.class);
      String path = sub != null ? join(classPath, sub.value()) : classPath;
      if (httpMethod == null) {
        if (sub != null && depth < MAX_LOCATOR_DEPTH && m.getReturnType() != Object.class) {
          Set<String> next = new TreeSet<>(guard);
          next.addAll(LocatorPolicies.required(resource, m));
          collect(m.getReturnType(), path, ops, ids, depth + 1, next);
        }
        continue;
      }
      String template = normalise(path);
      String key = httpMethod + " " + template;
      if (ops.containsKey(key)) {
        // a sibling by content negotiation (another @Produces or @Consumes): one operation
        ops.put(key, merged(ops.get(key),
            operation(resource, m, jm, httpMethod, template, key, guard)));
        continue;
      }
      String id = resource.getSimpleName() + "." + m.getName();
      for (int n = 2; !ids.add(id); n++) {
        id = resource.getSimpleName() + "." + m.getName() + "_" + n;
      }
      ops.put(key, operation(resource, m, jm, httpMethod, template, id, guard));
    }
  }

  /**
   * One operation.
   *
   * @param m the resource class's method, where the PISTE annotations are looked for first
   * @param jm the method carrying its JAX-RS annotations: {@code m}, or one it implements
   */
  private static OperationDescriptor operation(Class<?> resource, Method m, Method jm,
      String httpMethod, String template, String id, Set<String> guard) {
    OperationDescriptor.Builder b = OperationDescriptor.builder(httpMethod, template).operationId(id);
    Parameters params = new Parameters(b);
    boolean entity = false;
    boolean suspended = false;
    for (Parameter p : jm.getParameters()) {
      params.add(p.getAnnotations(), p.getType(), 0);
      entity |= isEntity(p);
      suspended |= p.isAnnotationPresent(Suspended.class);
    }
    // JAX-RS answers a void method with 204, unless it resumes an AsyncResponse with an entity
    b.noContent(jm.getReturnType() == void.class && !suspended);
    Matcher v = TEMPLATE_VARIABLE.matcher(template);
    while (v.find()) {
      params.add(v.group(1), OperationDescriptor.In.PATH);
    }
    b.formParameters(params.form.toArray(String[]::new));
    Consumes consumes = pick(jm, resource, Consumes.class);
    if (consumes != null) {
      b.consumes(mediaTypes(consumes.value()));
    } else if (!params.form.isEmpty()) {
      b.consumes(MediaType.APPLICATION_FORM_URLENCODED);
    } else if (entity) {
      // JAX-RS: without @Consumes, a method accepts any media type (spec 3.5)
      b.consumes(MediaType.WILDCARD);
    }
    Produces produces = pick(jm, resource, Produces.class);
    if (produces != null) {
      b.produces(mediaTypes(produces.value()));
    }
    // the nearest annotation wins: a method's @RequiresScopes beats its class's @Public; they are
    // read where the feature reads them (inherited from an interface or superclass)
    Method pm = PisteFeature.annotatedMethod(m);
    Class<?> pt = PisteFeature.annotatedType(resource);
    boolean methodPublic = pm.isAnnotationPresent(Public.class);
    RequiresScopes methodScopes = pm.getAnnotation(RequiresScopes.class);
    boolean isPublic = methodPublic
        || (methodScopes == null && pt.isAnnotationPresent(Public.class));
    RequiresScopes scopes = methodScopes != null ? methodScopes : pt.getAnnotation(RequiresScopes.class);
    Set<String> required = new LinkedHashSet<>();
    if (!isPublic && scopes != null) {
      required.addAll(List.of(scopes.value()));
    }
    // the locators on the way require theirs too, and a public method under them is not public
    required.addAll(guard);
    b.publicOperation(isPublic && guard.isEmpty());
    if (!required.isEmpty()) {
      b.scopes(required.toArray(String[]::new));
    }
    RateLimit limit = pick(pm, pt, RateLimit.class);
    if (limit != null) {
      List<Limit> limits;
      try {
        limits = ValueType.parseLimits(limit.value());
      } catch (IllegalArgumentException e) {
        // the same message as the feature's, naming the method: the describer runs first
        throw new IllegalStateException(Messages.badRateLimit(
            resource.getSimpleName() + "." + m.getName(), limit.value()));
      }
      for (Limit l : limits) {
        b.rateLimits(l.toString());
      }
    }
    b.deprecated(m.isAnnotationPresent(Deprecated.class) || jm.isAnnotationPresent(Deprecated.class)
        || resource.isAnnotationPresent(Deprecated.class));
    return b.build();
  }

  /**
   * An entity parameter: one without a JAX-RS annotation ({@code @Context}, {@code @Suspended} and
   * the parameter annotations are all {@code jakarta.ws.rs} ones).
   */
  private static boolean isEntity(Parameter p) {
    for (Annotation a : p.getAnnotations()) {
      if (a.annotationType().getName().startsWith("jakarta.ws.rs.")) {
        return false;
      }
    }
    return true;
  }

  /**
   * The parameters of one operation, once each by name and location, in the order declared: the
   * method's, a {@code @BeanParam}'s in its place (its fields, then its setters, then its
   * constructors' parameters, superclass first, each by name), then the template's undeclared path
   * variables. {@code @FormParam}s are the body's form parameters. {@code @MatrixParam}s are not
   * described: OpenAPI has no location for them.
   */
  private static final class Parameters {
    private static final int MAX_BEAN_DEPTH = 8;
    final OperationDescriptor.Builder b;
    final Set<String> seen = new HashSet<>();
    final Set<String> form = new LinkedHashSet<>();

    Parameters(OperationDescriptor.Builder b) {
      this.b = b;
    }

    void add(String name, OperationDescriptor.In in) {
      if (seen.add(in + " " + name)) {
        b.parameter(name, in, in == OperationDescriptor.In.PATH);
      }
    }

    void add(Annotation[] annotations, Class<?> type, int depth) {
      for (Annotation a : annotations) {
        if (a instanceof PathParam p) {
          add(p.value(), OperationDescriptor.In.PATH);
        } else if (a instanceof QueryParam q) {
          add(q.value(), OperationDescriptor.In.QUERY);
        } else if (a instanceof HeaderParam h) {
          add(h.value(), OperationDescriptor.In.HEADER);
        } else if (a instanceof CookieParam c) {
          add(c.value(), OperationDescriptor.In.COOKIE);
        } else if (a instanceof FormParam f) {
          form.add(f.value());
        } else if (a instanceof BeanParam && depth < MAX_BEAN_DEPTH) {
          bean(type, depth + 1);
        }
      }
    }

    private void bean(Class<?> type, int depth) {
      List<Class<?>> chain = new ArrayList<>();
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        chain.add(0, c);
      }
      for (Class<?> c : chain) {
        List<Field> fields = new ArrayList<>(List.of(c.getDeclaredFields()));
        fields.sort(Comparator.comparing(Field::getName));
        for (Field f : fields) {
          if (!f.isSynthetic() && !Modifier.isStatic(f.getModifiers())) {
            add(f.getAnnotations(), f.getType(), depth);
          }
        }
        List<Method> setters = new ArrayList<>(List.of(c.getDeclaredMethods()));
        setters.sort(Comparator.comparing(Method::getName).thenComparing(Method::toGenericString));
        for (Method m : setters) {
          if (!m.isSynthetic() && !Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 1
              && m.getName().startsWith("set")) {
            add(m.getAnnotations(), m.getParameterTypes()[0], depth);
          }
        }
      }
      List<Constructor<?>> constructors = new ArrayList<>(List.of(type.getDeclaredConstructors()));
      constructors.sort(Comparator.comparing(Constructor::toGenericString));
      for (Constructor<?> k : constructors) {
        for (Parameter p : k.getParameters()) {
          add(p.getAnnotations(), p.getType(), depth);
        }
      }
    }
  }

  /**
   * One operation for two resource methods of one HTTP method and path template, which JAX-RS
   * chooses between by the request's media types: the first's id and summary, the union of their
   * parameters, media types and limits, and the second's way to be authorised as an alternative.
   * It is deprecated when both are.
   */
  private static OperationDescriptor merged(OperationDescriptor first, OperationDescriptor second) {
    OperationDescriptor.Builder b = OperationDescriptor.builder(first.method(), first.path())
        .operationId(first.operationId()).summary(first.summary())
        .publicOperation(first.isPublic()).scopes(first.scopes().toArray(String[]::new))
        .deprecated(first.deprecated() && second.deprecated())
        .noContent(first.noContent() && second.noContent());
    Set<String> parameters = new HashSet<>();
    for (OperationDescriptor.Parameter p : concat(first.parameters(), second.parameters())) {
      if (parameters.add(p.in() + " " + p.name())) {
        b.parameter(p.name(), p.in(), p.required());
      }
    }
    b.consumes(distinct(first.consumes(), second.consumes()));
    b.formParameters(distinct(first.formParameters(), second.formParameters()));
    b.produces(distinct(first.produces(), second.produces()));
    b.rateLimits(distinct(first.rateLimits(), second.rateLimits()));
    Set<OperationDescriptor.Security> ways = new LinkedHashSet<>(first.securities());
    ways.addAll(second.securities());
    ways.stream().skip(1)
        .forEach(w -> b.alternative(w.isPublic(), w.scopes().toArray(String[]::new)));
    return b.build();
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static String[] distinct(List<String> a, List<String> b) {
    return new LinkedHashSet<>(concat(a, b)).toArray(String[]::new);
  }

  private static <A extends Annotation> A pick(Method m, Class<?> c, Class<A> type) {
    A a = m.getAnnotation(type);
    return a != null ? a : c.getAnnotation(type);
  }

  /** The HTTP method a method's annotations give it, {@code null} for none (a locator). */
  static String httpMethod(Method m) {
    for (Annotation a : m.getAnnotations()) {
      HttpMethod h = a.annotationType().getAnnotation(HttpMethod.class);
      if (h != null) {
        return h.value();
      }
    }
    return null;
  }

  private static String[] mediaTypes(String[] values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out.toArray(String[]::new);
  }

  /**
   * {@code {id: [0-9]+}} becomes {@code {id}}, and so does {@code {id: [0-9]{3}}}: an expression
   * ends at the brace that closes its own, its regular expression's braces nested inside it.
   * Slashes are collapsed; no trailing slash.
   */
  static String normalise(String path) {
    StringBuilder out = new StringBuilder(path.length());
    int i = 0;
    while (i < path.length()) {
      char c = path.charAt(i);
      int end = c == '{' ? closing(path, i) : -1;
      if (end < 0) {
        out.append(c);
        i++;
        continue;
      }
      int colon = path.indexOf(':', i);
      int nameEnd = colon >= 0 && colon < end ? colon : end;
      out.append('{').append(path, i + 1, nameEnd).append('}');
      i = end + 1;
    }
    String p = TEMPLATE_VARIABLE.matcher(out).replaceAll("{$1}");
    p = p.replaceAll("/{2,}", "/");
    if (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() ? "/" : p;
  }

  /** The index of the brace closing the one at {@code open}, or -1 when it is not closed. */
  private static int closing(String path, int open) {
    int depth = 0;
    for (int i = open; i < path.length(); i++) {
      if (path.charAt(i) == '{') {
        depth++;
      } else if (path.charAt(i) == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String join(String a, String b) {
    String left = a.endsWith("/") ? a.substring(0, a.length() - 1) : a;
    String right = b.startsWith("/") ? b : "/" + b;
    return left + right;
  }
}
