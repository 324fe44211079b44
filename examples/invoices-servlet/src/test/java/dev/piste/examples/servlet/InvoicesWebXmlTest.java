package dev.piste.examples.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.Piste;
import dev.piste.core.testing.JettyServer;
import java.net.http.HttpResponse;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The web.xml-only example deployed as a web application in a real Jetty. */
final class InvoicesWebXmlTest {

  private static JettyServer server;
  private static WebAppContext webapp;

  @BeforeAll
  static void deploy() throws Exception {
    webapp = ExampleWebapp.context();
    server = JettyServer.start(webapp);
  }

  @AfterAll
  static void undeploy() {
    server.close();
  }

  @Test
  void statusIsPublic() throws Exception {
    HttpResponse<String> r = server.get("/v1/status");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"up\"");
  }

  @Test
  void invoicesNeedACredentialAndAnswerProblemJson() throws Exception {
    HttpResponse<String> r = server.get("/v1/invoices/INV-00001");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"invoices\"");
  }

  @Test
  void theListenerPublishedOneEngineForTheApplication() {
    assertThat(webapp.getServletContext().getAttribute(Piste.CONTEXT_ATTRIBUTE)).isInstanceOf(Piste.class);
  }
}
