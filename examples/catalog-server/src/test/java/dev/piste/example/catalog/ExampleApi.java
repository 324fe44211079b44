package dev.piste.example.catalog;

import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.OperationDescriptor;
import dev.piste.catalog.OperationDescriptor.In;

/** The example invoices API's descriptor, as its JAX-RS resources describe it. */
final class ExampleApi {
  private ExampleApi() {}

  static ApiDescriptor invoices(String version) {
    return ApiDescriptor.builder("invoices", version)
        .name("Invoices API").description("Issue, list and read invoices.")
        .contact("invoices-team@example.com")
        .operation(OperationDescriptor.builder("GET", "/v1/invoices").operationId("InvoiceResource.list")
            .parameter("status", In.QUERY, false).produces("application/json")
            .scopes("invoices:read").build())
        .operation(OperationDescriptor.builder("GET", "/v1/invoices/{id}").operationId("InvoiceResource.get")
            .parameter("id", In.PATH, true).produces("application/json").scopes("invoices:read").build())
        .operation(OperationDescriptor.builder("POST", "/v1/invoices").operationId("InvoiceResource.create")
            .consumes("application/json").produces("application/json").scopes("invoices:write")
            .rateLimits("5/s burst 10").build())
        .operation(OperationDescriptor.builder("GET", "/v1/status").operationId("StatusResource.status")
            .produces("application/json").publicOperation(true).build())
        .scope("invoices:read", "Read invoices")
        .scope("invoices:write", "Create invoices")
        .build();
  }
}
