package dev.piste.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.catalog.OperationDescriptor.In;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ApiDescriptorTest {

  private static OperationDescriptor list() {
    return OperationDescriptor.builder("get", "/v1/invoices").operationId("list")
        .scopes("invoices:read").rateLimits("5/s").build();
  }

  @Test
  void collectsEveryScopeOfItsOperationsWithDeclaredDescriptionsWinning() {
    ApiDescriptor api = ApiDescriptor.builder("invoices", "1.0.0")
        .operation(list())
        .operation(OperationDescriptor.builder("POST", "/v1/invoices").operationId("create")
            .scopes("invoices:write").build())
        .scope("invoices:write", "Create invoices")
        .build();
    assertThat(api.scopes()).containsExactly(
        java.util.Map.entry("invoices:read", "invoices:read"),
        java.util.Map.entry("invoices:write", "Create invoices"));
    assertThat(api.name()).isEqualTo("invoices");
    assertThat(api.lifecycle()).isEqualTo("published");
    assertThat(api.operations().get(0).method()).isEqualTo("GET");
  }

  @Test
  void equalDescriptorsAreEqualAndToBuilderRoundTrips() {
    ApiDescriptor a = ApiDescriptor.builder("invoices", "1.0.0").name("Invoices").operation(list()).build();
    ApiDescriptor b = ApiDescriptor.builder("invoices", "1.0.0").name("Invoices").operation(list()).build();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.toBuilder().build()).isEqualTo(a);
    assertThat(a.toBuilder().description("changed").build()).isNotEqualTo(a);
  }

  @Test
  void refusesBlankIdsUnknownLifecyclesAndDuplicateOperations() {
    assertThatThrownBy(() -> ApiDescriptor.builder(" ", "1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApiDescriptor.builder("a", "1").lifecycle("beta"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("draft, published");
    assertThatThrownBy(() -> ApiDescriptor.builder("a", "1").operation(list()).operation(list()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate operationId list");
    assertThatThrownBy(() -> ApiDescriptor.builder("a", "1").operation(list())
        .operation(OperationDescriptor.builder("GET", "/v1/invoices").operationId("other").build()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate operation GET /v1/invoices");
  }

  @Test
  void anOperationPathStartsWithASlashAndAPathParameterIsRequired() {
    assertThatThrownBy(() -> OperationDescriptor.builder("GET", "v1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OperationDescriptor.builder("GET", "/v1/{id}").parameter("id", In.PATH, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(OperationDescriptor.builder("GET", "/v1/status").build().operationId()).isEqualTo("GET /v1/status");
  }

  @Test
  void allRegistersInEveryCatalogInOrderAndNoneInNone() throws IOException {
    List<String> calls = new ArrayList<>();
    CatalogClient first = r -> calls.add("first " + r.instanceId());
    CatalogClient second = new CatalogClient() {
      @Override
      public void register(CatalogRegistration r) {
        calls.add("second " + r.instanceId());
      }

      @Override
      public void deregister(CatalogRegistration r) {
        calls.add("second gone");
      }
    };
    CatalogRegistration r = new CatalogRegistration(ApiDescriptor.builder("a", "1").build(), "{}",
        "sha-256:00", "i-1", URI.create("http://127.0.0.1/"), Instant.EPOCH, "test", Duration.ofSeconds(30));
    CatalogClient.all(first, second).register(r);
    CatalogClient.all(first, second).deregister(r);
    CatalogClient.none().register(r);
    assertThat(calls).containsExactly("first i-1", "second i-1", "second gone");
  }
}
