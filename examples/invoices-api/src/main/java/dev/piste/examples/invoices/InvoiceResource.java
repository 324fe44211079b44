package dev.piste.examples.invoices;

import dev.piste.annotation.RateLimit;
import dev.piste.annotation.RequiresScopes;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import java.util.List;

/** Reads need {@code invoices:read}; creating needs {@code invoices:write} and is limited to 5/s. */
@Path("/v1/invoices")
@Produces(MediaType.APPLICATION_JSON)
@RequiresScopes("invoices:read")
public class InvoiceResource {

  /** The body of {@code POST /v1/invoices}. */
  public record NewInvoice(String customer, long amountCents, String currency) {}

  private final InvoiceStore store;

  @Inject
  public InvoiceResource(InvoiceStore store) {
    this.store = store;
  }

  @GET
  public List<Invoice> list() {
    return store.list();
  }

  @GET
  @Path("{id}")
  public Invoice get(@PathParam("id") String id) {
    return store.get(id).orElseThrow(() -> new NotFoundException("no invoice " + id));
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @RequiresScopes("invoices:write")
  @RateLimit("5/s")
  public Response create(NewInvoice body) {
    if (body == null || body.customer() == null || body.customer().isBlank() || body.amountCents() <= 0) {
      return Response.status(400).type("application/problem+json")
          .entity("{\"title\":\"Bad Request\",\"status\":400,\"detail\":\"customer and a positive amountCents are required\"}")
          .build();
    }
    Invoice invoice = store.create(body.customer(), body.amountCents(),
        body.currency() == null ? "EUR" : body.currency());
    return Response.created(UriBuilder.fromPath("/v1/invoices/{id}").build(invoice.id()))
        .entity(invoice).build();
  }
}
