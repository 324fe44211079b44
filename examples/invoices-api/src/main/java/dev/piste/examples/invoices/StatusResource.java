package dev.piste.examples.invoices;

import dev.piste.annotation.NoAudit;
import dev.piste.annotation.Public;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** The health endpoint: public and not audited. */
@Path("/v1/status")
@Public
public class StatusResource {

  @GET
  @NoAudit
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, String> status() {
    return Map.of("status", "up");
  }
}
