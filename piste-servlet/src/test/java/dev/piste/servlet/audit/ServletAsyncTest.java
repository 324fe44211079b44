package dev.piste.servlet.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.core.Piste;
import dev.piste.core.testing.JettyServer;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.MemoryAuditSink;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TokenFactory;
import dev.piste.servlet.PisteFilter;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asynchronous servlets behind the filter on a real Jetty: one event per request, with the status
 * the client received, and the caller still known after an async dispatch.
 */
final class ServletAsyncTest {

  private static final TokenFactory TOKENS = TokenFactory.using(Clock.systemUTC());
  private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

  @TempDir
  Path spool;

  @AfterEach
  void stop() {
    later.shutdownNow();
  }

  /** /later answers 202 from another thread; /never times out; /dispatch re-dispatches. */
  final class App extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (req.getDispatcherType() == DispatcherType.ASYNC) {
        resp.setContentType("text/plain");
        resp.getWriter().print("dispatched " + (req.getUserPrincipal() == null ? "anonymous"
            : req.getUserPrincipal().getName()) + " " + req.isUserInRole("invoices:read"));
        return;
      }
      AsyncContext async = req.startAsync();
      switch (req.getRequestURI()) {
        case "/later" -> later.schedule(() -> {
          ((HttpServletResponse) async.getResponse()).setStatus(202);
          async.complete();
        }, 150, TimeUnit.MILLISECONDS);
        case "/written" -> later.schedule(() -> {
          // another thread, through the context: the caller and the counting response
          HttpServletRequest r = (HttpServletRequest) async.getRequest();
          try {
            async.getResponse().setContentType("text/plain");
            async.getResponse().getWriter().print("written for "
                + (r.getUserPrincipal() == null ? "nobody" : r.getUserPrincipal().getName())
                + " " + r.isUserInRole("invoices:read"));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          async.complete();
        }, 50, TimeUnit.MILLISECONDS);
        case "/never" -> async.setTimeout(100);
        default -> async.dispatch();
      }
    }
  }

  @Test
  void eachAsyncRequestIsOneEventWithTheStatusTheClientReceived() throws Exception {
    MemoryAuditSink events = new MemoryAuditSink();
    try (JwksServer jwks = JwksServer.start().keys(TOKENS.rsa());
        Piste piste = Piste.builder().config(TokenFactory.config(Clock.systemUTC(), jwks.uri())
            .property("piste.audit.spool-dir", spool.toString())
            .property("piste.audit.flush-interval", "10ms").build())
            .auditSink(events).build().start();
        JettyServer server = JettyServer.servlets(ctx -> {
          FilterHolder filter = new FilterHolder(new PisteFilter(piste));
          filter.setAsyncSupported(true);
          ctx.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
          ServletHolder app = new ServletHolder(new App());
          app.setAsyncSupported(true);
          ctx.addServlet(app, "/*");
        })) {
      var reader = TOKENS.claims();
      reader.setClaim("scope", "invoices:read");
      String token = "Bearer " + TOKENS.sign(reader, TOKENS.rsa(), "RS256");

      HttpResponse<String> resumed = server.get("/later", "Authorization", token,
          "X-Request-Id", "later");
      HttpResponse<String> timedOut = server.get("/never", "Authorization", token,
          "X-Request-Id", "never");
      HttpResponse<String> dispatched = server.get("/dispatch", "Authorization", token,
          "X-Request-Id", "dispatch");

      HttpResponse<String> written = server.get("/written", "Authorization", token,
          "X-Request-Id", "written");
      assertThat(written.body()).isEqualTo("written for " + TokenFactory.CLIENT + " true");

      assertThat(resumed.statusCode()).isEqualTo(202);
      assertThat(dispatched.statusCode()).isEqualTo(200);
      assertThat(dispatched.body()).isEqualTo("dispatched " + TokenFactory.CLIENT + " true");
      Poll.until(Duration.ofSeconds(10), () -> events.size() >= 4, () -> events.size() + " events");
      Thread.sleep(200);
      assertThat(events.events()).hasSize(4);
      assertThat(events.one("written").responseBytes())
          .isEqualTo(written.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
      AuditEvent later = events.one("later");
      assertThat(later.status()).isEqualTo(202);
      assertThat(later.durationMicros()).isGreaterThanOrEqualTo(150_000);
      assertThat(events.one("never").status()).isEqualTo(timedOut.statusCode());
      assertThat(events.one("dispatch").status()).isEqualTo(200);
    }
  }
}
