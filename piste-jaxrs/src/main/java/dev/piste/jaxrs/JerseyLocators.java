package dev.piste.jaxrs;

import jakarta.ws.rs.core.UriInfo;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.server.model.RuntimeResource;

/** Jersey's own record of the sub-resource locators a request went through; loaded only on Jersey. */
final class JerseyLocators {
  private JerseyLocators() {}

  /** Whether each resource method is public, read from its annotations once. */
  private static final ConcurrentHashMap<Method, Boolean> PUBLIC = new ConcurrentHashMap<>();

  /**
   * Whether routing matched a resource method ({@code TRUE}: an answer without an operation came
   * from the application's filters), or {@code null} when this is not Jersey's.
   */
  static Boolean methodMatched(UriInfo uri) {
    return uri instanceof ExtendedUriInfo extended ? extended.getMatchedResourceMethod() != null
        : null;
  }

  /**
   * Whether a method of the resource that routing matched, without a method for this request (405,
   * 406, 415), is public: then routing's answer may go to anyone. {@code false} when not known.
   */
  static boolean servesPublicly(UriInfo uri) {
    if (!(uri instanceof ExtendedUriInfo extended)) {
      return false;
    }
    for (RuntimeResource runtime : extended.getMatchedRuntimeResources()) {
      for (Resource r : runtime.getResources()) {
        for (ResourceMethod m : r.getResourceMethods()) {
          Method handling = m.getInvocable().getHandlingMethod();
          Class<?> type = m.getInvocable().getHandler().getHandlerClass();
          if (handling != null && type != null && !PisteFeature.jerseyGenerated(type)
              && PUBLIC.computeIfAbsent(handling,
                  h -> PisteFeature.policyOf(type, h).publicOperation())) {
            return true;
          }
        }
      }
      break; // the innermost resource matched
    }
    return false;
  }

  /** The locators invoked for this request, the last one first, or {@code null} when not Jersey's. */
  static List<Method> invoked(UriInfo uri) {
    if (!(uri instanceof ExtendedUriInfo extended)) {
      return null;
    }
    List<ResourceMethod> locators = extended.getMatchedResourceLocators();
    List<Method> out = new ArrayList<>(locators.size());
    for (ResourceMethod l : locators) {
      Method m = l.getInvocable().getHandlingMethod();
      if (m == null) {
        return null;
      }
      out.add(m);
    }
    return out;
  }
}
