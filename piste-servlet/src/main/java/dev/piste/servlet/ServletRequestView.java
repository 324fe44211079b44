package dev.piste.servlet;

import dev.piste.core.Piste;
import dev.piste.core.internal.pipeline.RequestView;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/** The neutral request view over a servlet request; built once per request. */
final class ServletRequestView extends RequestView {

  private final HttpServletRequest request;
  private final boolean fromListener;
  private String path;

  ServletRequestView(HttpServletRequest request) {
    this(request, false);
  }

  /** @param fromListener made by the listener, whose requestDestroyed ends each dispatch */
  ServletRequestView(HttpServletRequest request, boolean fromListener) {
    this.request = request;
    this.fromListener = fromListener;
  }

  /**
   * The listener's requestDestroyed follows the end of this dispatch, once the response is written,
   * unless the request went asynchronous: its response is then written from another thread,
   * possibly after that call.
   */
  @Override
  public boolean endedByContainer() {
    return fromListener && !request.isAsyncStarted();
  }

  /** The view the listener already made for this request, or a new one: one view per request. */
  static ServletRequestView of(HttpServletRequest request) {
    return request.getAttribute(Piste.REQUEST_VIEW_ATTRIBUTE) instanceof ServletRequestView v
        ? v : new ServletRequestView(request);
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  /** The path within the context: servlet path and path info, computed at the first call. */
  @Override
  public String path() {
    String p = path;
    if (p == null) {
      String servletPath = request.getServletPath();
      String pathInfo = request.getPathInfo();
      p = pathInfo == null ? servletPath
          : servletPath == null || servletPath.isEmpty() ? pathInfo : servletPath.concat(pathInfo);
      path = p = p == null || p.isEmpty() ? "/" : p;
    }
    return p;
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
    if (request.getHeader(name) == null) {
      return List.of();
    }
    Enumeration<String> values = request.getHeaders(name);
    String first = values.nextElement();
    if (!values.hasMoreElements()) {
      return List.of(first);
    }
    List<String> all = new ArrayList<>(2);
    all.add(first);
    while (values.hasMoreElements()) {
      all.add(values.nextElement());
    }
    return all;
  }


  @Override
  public long contentLength() {
    return request.getContentLengthLong();
  }

  @Override
  public String remoteAddress() {
    return request.getRemoteAddr();
  }
}
