package dev.piste.core.testing;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.EventListener;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 (EE10) server on 127.0.0.1 and an ephemeral port, for adapter tests, with a
 * plain JDK HTTP client to call it. Close it after the test.
 */
public final class JettyServer implements AutoCloseable {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final Server server;
  private final ServerConnector connector;

  private JettyServer(Handler handler) throws Exception {
    server = new Server();
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(handler);
    server.setStopTimeout(2000);
    server.start();
  }

  /** Starts a server around any handler (a WebAppContext, say). */
  public static JettyServer start(Handler handler) throws Exception {
    return new JettyServer(handler);
  }

  /** Starts a servlet context at {@code /} configured by the given callback. */
  public static JettyServer servlets(Consumer<ServletContextHandler> setup) throws Exception {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    setup.accept(context);
    return new JettyServer(context);
  }

  /** Starts {@code servlet} alone at {@code /*}. */
  public static JettyServer serving(Servlet servlet) throws Exception {
    return servlets(ctx -> servlet(ctx, servlet, "/*"));
  }

  /** Starts {@code servlet} at {@code /*} behind {@code filter} at {@code /*}. */
  public static JettyServer filtered(Filter filter, Servlet servlet) throws Exception {
    return servlets(ctx -> {
      filter(ctx, filter, "/*");
      servlet(ctx, servlet, "/*");
    });
  }

  /**
   * Starts a context as a {@code web.xml} would declare it: context parameters, a listener, and
   * {@code servlet} at {@code /*} behind {@code filter} at {@code /*}.
   */
  public static JettyServer webXml(Map<String, String> contextParams, EventListener listener,
      Filter filter, Servlet servlet) throws Exception {
    return servlets(ctx -> {
      initParameters(ctx, contextParams);
      listener(ctx, listener);
      filter(ctx, filter, "/*");
      servlet(ctx, servlet, "/*");
    });
  }

  /** Helpers for the setup callback. */
  public static void initParameters(ServletContextHandler context, Map<String, String> params) {
    params.forEach(context::setInitParameter);
  }

  public static void listener(ServletContextHandler context, EventListener listener) {
    context.addEventListener(listener);
  }

  public static FilterHolder filter(ServletContextHandler context, Filter filter, String mapping) {
    FilterHolder holder = new FilterHolder(filter);
    context.addFilter(holder, mapping, EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    return holder;
  }

  public static void servlet(ServletContextHandler context, Servlet servlet, String mapping) {
    context.addServlet(new ServletHolder(servlet), mapping);
  }

  public int port() {
    return connector.getLocalPort();
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  /** Sends a request built from {@code uri(path)}; headers as name, value pairs. */
  public HttpResponse<String> send(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> get(String path, String... headers) throws Exception {
    return send("GET", path, null, headers);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop", e);
    }
  }
}
