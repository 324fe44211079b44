package dev.piste.jaxrs;

import dev.piste.core.internal.pipeline.RequestView;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.List;

/** The neutral request view over a JAX-RS request; built once per request. */
final class JaxrsRequestView extends RequestView {

  private final ContainerRequestContext request;
  private final String path;
  private final String remoteAddress;

  JaxrsRequestView(ContainerRequestContext request, String remoteAddress) {
    this.request = request;
    String p = request.getUriInfo().getPath(true);
    this.path = p.startsWith("/") ? p : "/" + p;
    this.remoteAddress = remoteAddress;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String query() {
    return request.getUriInfo().getRequestUri().getRawQuery();
  }

  @Override
  public String header(String name) {
    List<String> values = request.getHeaders().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  @Override
  public List<String> headers(String name) {
    List<String> values = request.getHeaders().get(name);
    return values == null ? List.of() : values;
  }

  @Override
  public String remoteAddress() {
    return remoteAddress;
  }
}
