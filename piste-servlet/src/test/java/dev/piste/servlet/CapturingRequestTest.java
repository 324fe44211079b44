package dev.piste.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.PisteConfig;
import dev.piste.core.internal.audit.BodyCapture;
import dev.piste.core.testing.JettyServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The capturing request on a real Jetty request: the application reads the body as it would. */
final class CapturingRequestTest {

  private static final BodyCapture.Policy CAPTURE = BodyCapture.Policy.of(PisteConfig.of(Map.of(
      "piste.audit.body.enabled", "true", "piste.audit.body.content-types",
      "text/plain, application/json, application/problem+json, text/json,"
          + " application/vnd.api+json, application/xhtml+xml, text/html")));

  /** Reads the body through the capturing request, with the encoding its header names. */
  static final class Reader extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (req.getHeader("X-Container") != null) {
        // what the application reads without the library
        resp.setContentType("text/plain;charset=UTF-8");
        resp.getWriter().print(req.getReader().readLine());
        return;
      }
      String encoding = req.getHeader("X-Encoding");
      HttpServletRequest app = new HttpServletRequestWrapper(req) {
        @Override
        public String getCharacterEncoding() {
          // as after an application's or an earlier filter's setCharacterEncoding
          return encoding;
        }
      };
      BodyCapture capture = CAPTURE.start(req.getHeader("Content-Type"));
      CapturingRequest captured = new CapturingRequest(app, capture);
      String text;
      try {
        text = captured.getReader().readLine();
      } catch (UnsupportedEncodingException e) {
        resp.sendError(415);
        return;
      }
      resp.setContentType("text/plain;charset=UTF-8");
      resp.getWriter().print(text + "|" + capture.redacted());
    }
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"text/plain", "application/json",
      "application/problem+json", "text/json", "application/vnd.api+json",
      "application/json; foo=bar", "application/xhtml+xml", "text/html"})
  void withoutACharsetGetReaderReadsTheBodyAsTheContainerDoes(String type) throws Exception {
    byte[] body = {'c', 'a', 'f', (byte) 0xC3, (byte) 0xA9, ' ', (byte) 0xE9};
    try (JettyServer server = JettyServer.serving(new Reader())) {
      String[] read = new String[2];
      for (int i = 0; i < 2; i++) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", type);
        if (i == 0) {
          b.header("X-Container", "yes");
        }
        String answer = HttpClient.newHttpClient().send(b.build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
        read[i] = i == 0 ? answer : answer.substring(0, answer.indexOf('|'));
      }
      assertThat(read[1]).as("read behind the capture, as the container reads it").isEqualTo(read[0]);
    }
  }

  @Test
  void getReaderReadsInTheRequestsEncodingAndRefusesOneItDoesNotKnowAsTheContainerDoes()
      throws Exception {
    try (JettyServer server = JettyServer.serving(new Reader())) {
      HttpResponse<String> latin = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          server.uri("/")).POST(HttpRequest.BodyPublishers.ofByteArray(
              "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1)))
          .header("Content-Type", "text/plain; charset=ISO-8859-1")
          .header("X-Encoding", "ISO-8859-1").build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      assertThat(latin.statusCode()).isEqualTo(200);
      assertThat(latin.body()).as("what the application read, what the capture kept")
          .isEqualTo("caf\u00e9|caf\u00e9");
      HttpResponse<String> unknown = server.send("POST", "/", "abc", "Content-Type",
          "text/plain", "X-Encoding", "x-no-such-charset");
      assertThat(unknown.statusCode()).as("not read as UTF-8 behind the application's back")
          .isEqualTo(415);
    }
  }
}
