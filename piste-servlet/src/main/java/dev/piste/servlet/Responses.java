package dev.piste.servlet;

import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.problem.Problem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;

/** Writes the library's headers and problem+json denials on a servlet response. */
final class Responses {
  private Responses() {}

  static void addHeaders(HttpServletResponse response, Exchange exchange) {
    for (Problem.Header h : exchange.responseHeaders()) {
      response.setHeader(h.name(), h.value());
    }
  }

  /**
   * Writes a denial. The request's body, if it has one, is left unread: the container may not be
   * able to read the rest of it before the next request on the connection, so the answer says the
   * connection closes (RFC 9112 9.6), and a client does not send another request on it.
   */
  static void writeProblem(HttpServletRequest request, HttpServletResponse response,
      Problem problem) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
      response.setHeader("Connection", "close");
    }
    byte[] body = problem.body();
    response.setStatus(problem.status());
    for (Problem.Header h : problem.headers()) {
      response.setHeader(h.name(), h.value());
    }
    response.setHeader("Cache-Control", "no-store");
    response.setContentType(Problem.CONTENT_TYPE);
    response.setContentLength(body.length);
    try (OutputStream out = response.getOutputStream()) {
      out.write(body);
    }
  }
}
