package dev.piste.servlet;

import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.problem.Problem;
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

  static void writeProblem(HttpServletResponse response, Problem problem) throws IOException {
    if (response.isCommitted()) {
      return;
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
