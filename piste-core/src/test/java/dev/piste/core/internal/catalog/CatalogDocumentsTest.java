package dev.piste.core.internal.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** RFC 9727: the api-catalog linkset and the OpenAPI document it points at. */
final class CatalogDocumentsTest {

  @Test
  void answersNothingBeforeTheApiIsDescribed() {
    CatalogDocuments docs = new CatalogDocuments("/openapi.json", null);
    assertThat(docs.find("GET", "/openapi.json", "http://h")).isNull();
    assertThat(docs.find("GET", "/.well-known/api-catalog", "http://h")).isNull();
  }

  @Test
  void servesTheOpenApiDocumentAtItsPathForGetAndHeadOnly() {
    CatalogDocuments docs = new CatalogDocuments("/api/openapi.json", null);
    docs.openApi("{\"openapi\":\"3.1.0\"}");
    assertThat(new String(docs.find("GET", "/api/openapi.json", "http://h").body()))
        .isEqualTo("{\"openapi\":\"3.1.0\"}");
    assertThat(docs.find("HEAD", "/api/openapi.json", "http://h").contentType()).isEqualTo("application/json");
    assertThat(docs.find("POST", "/api/openapi.json", "http://h")).isNull();
    assertThat(docs.find("GET", "/openapi.json", "http://h")).isNull();
  }

  @Test
  void theDocumentPathsAreRecognizedWithOrWithoutTheirLeadingSlash() {
    CatalogDocuments docs = new CatalogDocuments("/api/openapi.json", null);
    for (String p : new String[] {"/api/openapi.json", "api/openapi.json",
        "/.well-known/api-catalog", ".well-known/api-catalog"}) {
      assertThat(docs.isDocumentPath(p)).as(p).isTrue();
    }
    for (String p : new String[] {"", "/", "openapi.json", "/openapi.json", "pi/openapi.json",
        "xapi/openapi.json", "/api/openapi.jsonx", "api/openapi.json/", "//api/openapi.json",
        "well-known/api-catalog", "v1/invoices/INV-00001"}) {
      assertThat(docs.isDocumentPath(p)).as(p).isFalse();
    }
  }

  @Test
  void rfc9727LinksetListsTheApiAndItsServiceDesc() throws Exception {
    CatalogDocuments docs = new CatalogDocuments("/openapi.json", null);
    docs.openApi("{}");
    CatalogDocuments.Document d = docs.find("GET", "/.well-known/api-catalog", "https://api.example.com/ctx");
    assertThat(d.contentType())
        .isEqualTo("application/linkset+json; profile=\"https://www.rfc-editor.org/info/rfc9727\"");
    assertThat(d.link()).isEqualTo("</.well-known/api-catalog>; rel=\"api-catalog\"");
    JsonNode linkset = new ObjectMapper().readTree(d.body()).path("linkset");
    assertThat(linkset.at("/0/anchor").asText()).isEqualTo("https://api.example.com/ctx/.well-known/api-catalog");
    assertThat(linkset.at("/0/item/0/href").asText()).isEqualTo("https://api.example.com/ctx/");
    assertThat(linkset.at("/1/anchor").asText()).isEqualTo("https://api.example.com/ctx/");
    assertThat(linkset.at("/1/service-desc/0/href").asText())
        .isEqualTo("https://api.example.com/ctx/openapi.json");
  }

  @Test
  void theConfiguredInstanceUrlWinsOverTheRequestBaseUrl() throws Exception {
    CatalogDocuments docs = new CatalogDocuments("/openapi.json", URI.create("https://public.example.com/"));
    docs.openApi("{}");
    JsonNode linkset = new ObjectMapper().readTree(docs.apiCatalog("http://10.0.0.7:8080")).path("linkset");
    assertThat(linkset.at("/1/service-desc/0/href").asText())
        .isEqualTo("https://public.example.com/openapi.json");
  }
}
