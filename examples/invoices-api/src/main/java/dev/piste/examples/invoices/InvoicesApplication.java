package dev.piste.examples.invoices;

import dev.piste.annotation.PisteApi;
import dev.piste.core.Piste;
import dev.piste.jaxrs.PisteFeature;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/** The JAX-RS application: resources, JSON, and the PISTE feature. */
@PisteApi(id = "invoices", version = "1.0.0", name = "Invoices API",
    description = "Issue and read invoices.", contact = "api-team@example.org")
public class InvoicesApplication extends ResourceConfig {

  public InvoicesApplication(Piste piste, InvoiceStore store) {
    register(new AbstractBinder() {
      @Override
      protected void configure() {
        bind(store).to(InvoiceStore.class);
      }
    });
    register(InvoiceResource.class);
    register(StatusResource.class);
    register(JacksonFeature.class);
    register(new PisteFeature(piste));
    property(ServerProperties.WADL_FEATURE_DISABLE, true);
  }
}
