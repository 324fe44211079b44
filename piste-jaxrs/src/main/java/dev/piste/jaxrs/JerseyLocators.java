package dev.piste.jaxrs;

import jakarta.ws.rs.core.UriInfo;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.server.model.ResourceMethod;

/** Jersey's own record of the sub-resource locators a request went through; loaded only on Jersey. */
final class JerseyLocators {
  private JerseyLocators() {}

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
