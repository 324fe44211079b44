package dev.piste.examples.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The invoices API as one plain servlet. It knows nothing of tokens or limits: the PISTE filter in
 * web.xml enforces them before a request gets here.
 */
public final class InvoicesServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Map<String, Object>> invoices = new ConcurrentSkipListMap<>();
  private final AtomicLong sequence = new AtomicLong();

  @Override
  public void init() {
    create("ACME Corp", 125_000);
    create("Globex", 99_900);
  }

  private Map<String, Object> create(String customer, long amountCents) {
    String id = String.format("INV-%05d", sequence.incrementAndGet());
    Map<String, Object> invoice = new LinkedHashMap<>();
    invoice.put("id", id);
    invoice.put("customer", customer);
    invoice.put("amountCents", amountCents);
    invoice.put("currency", "EUR");
    invoice.put("issuedAt", Instant.now().toString());
    invoices.put(id, invoice);
    return invoice;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getPathInfo() == null ? "" : req.getPathInfo();
    if (req.getServletPath().equals("/v1/status")) {
      write(resp, 200, Map.of("status", "up"));
    } else if (path.isEmpty() || path.equals("/")) {
      write(resp, 200, invoices.values());
    } else {
      Map<String, Object> invoice = invoices.get(path.substring(1));
      if (invoice == null) {
        write(resp, 404, Map.of("title", "Not Found", "status", 404));
      } else {
        write(resp, 200, invoice);
      }
    }
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getPathInfo() == null ? "" : req.getPathInfo();
    if (!req.getServletPath().equals("/v1/invoices") || !(path.isEmpty() || path.equals("/"))) {
      // only the collection takes new invoices: not /v1/status, not /v1/invoices/{id}
      resp.setHeader("Allow", "GET, HEAD");
      write(resp, 405, Map.of("title", "Method Not Allowed", "status", 405));
      return;
    }
    JsonNode body;
    try {
      body = JSON.readTree(req.getInputStream());
    } catch (IOException e) {
      body = null;
    }
    if (body == null || !body.hasNonNull("customer") || body.path("amountCents").asLong() <= 0) {
      write(resp, 400, Map.of("title", "Bad Request", "status", 400,
          "detail", "customer and a positive amountCents are required"));
      return;
    }
    Map<String, Object> invoice = create(body.get("customer").asText(), body.get("amountCents").asLong());
    resp.setHeader("Location", "/v1/invoices/" + invoice.get("id"));
    write(resp, 201, invoice);
  }

  private static void write(HttpServletResponse resp, int status, Object body) throws IOException {
    resp.setStatus(status);
    resp.setContentType("application/json");
    JSON.writeValue(resp.getOutputStream(), body);
  }
}
