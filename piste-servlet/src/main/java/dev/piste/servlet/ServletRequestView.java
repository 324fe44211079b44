package dev.piste.servlet;

import dev.piste.PisteRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/** The neutral request view over a servlet request; built once per request. */
final class ServletRequestView implements PisteRequest {

  private final HttpServletRequest request;
  private final String path;

  ServletRequestView(HttpServletRequest request) {
    this.request = request;
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    String p = pathInfo == null ? servletPath : servletPath + pathInfo;
    this.path = p == null || p.isEmpty() ? "/" : p;
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
    return request.getQueryString();
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }

  @Override
  public List<String> headers(String name) {
    Enumeration<String> values = request.getHeaders(name);
    return values == null ? List.of() : Collections.list(values);
  }

  @Override
  public String remoteAddress() {
    return request.getRemoteAddr();
  }
}
