package dev.piste.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.annotation.PisteApi;
import dev.piste.annotation.Public;
import dev.piste.annotation.RateLimit;
import dev.piste.annotation.RequiresScopes;
import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.OperationDescriptor;
import dev.piste.catalog.OperationDescriptor.In;
import dev.piste.core.PisteConfig;
import dev.piste.core.catalog.OpenApiGenerator;
import dev.piste.core.testing.OpenApi31Schema;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.MatrixParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class ResourceModelDescriberTest {

  @ApplicationPath("/api")
  @PisteApi(id = "invoices", version = "1.0.0", name = "Invoices", description = "Issue invoices.",
      contact = "invoices@example.com")
  public static final class InvoicesApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
      return Set.of(InvoiceResource.class, StatusResource.class);
    }
  }

  @Path("/v1/invoices")
  @Produces(MediaType.APPLICATION_JSON)
  @RequiresScopes("invoices:read")
  public static final class InvoiceResource {
    @GET
    @RateLimit("50/s burst 100")
    public List<String> list(@QueryParam("status") String status) {
      return List.of();
    }

    @GET
    @Path("{id: [0-9]+}")
    public String get(@PathParam("id") long id, @HeaderParam("X-Tenant") String tenant) {
      return "";
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresScopes("invoices:write")
    @RateLimit("5/s burst 10; 1000/day")
    public String create(String body) {
      return "";
    }

    @DELETE
    @Path("/{id}")
    @RequiresScopes({"invoices:write", "invoices:admin"})
    @Deprecated
    public void delete(@PathParam("id") long id) {}

    @Path("{id}/lines")
    public LineResource lines() {
      return new LineResource();
    }
  }

  public static final class LineResource {
    @GET
    public List<String> list() {
      return List.of();
    }
  }

  @Path("/v1/status")
  @Public
  public static final class StatusResource {
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String status() {
      return "up";
    }
  }

  private static final PisteConfig CONFIG = PisteConfig.of(Map.of(
      "piste.catalog.scope-descriptions.invoices:read", "Read invoices"));

  private static ApiDescriptor describe() {
    return ResourceModelDescriber.describe(InvoicesApplication.class,
        new InvoicesApplication().getClasses(), CONFIG);
  }

  @Test
  void takesTheIdentityFromPisteApiOnTheApplication() {
    ApiDescriptor api = describe();
    assertThat(api.id()).isEqualTo("invoices");
    assertThat(api.version()).isEqualTo("1.0.0");
    assertThat(api.name()).isEqualTo("Invoices");
    assertThat(api.contact()).isEqualTo("invoices@example.com");
    assertThat(api.lifecycle()).isEqualTo("published");
  }

  @Test
  void describesEveryResourceMethodWithItsPathParametersMediaTypesScopesAndLimits() {
    ApiDescriptor api = describe();
    // relative to the JAX-RS base, which @ApplicationPath("/api") (or its servlet mapping) is part of
    assertThat(api.operations()).extracting(o -> o.method() + " " + o.path()).containsExactly(
        "POST /v1/invoices", "DELETE /v1/invoices/{id}", "GET /v1/invoices/{id}",
        "GET /v1/invoices/{id}/lines", "GET /v1/invoices", "GET /v1/status");
    OperationDescriptor get = op(api, "InvoiceResource.get");
    assertThat(get.parameters()).containsExactly(new OperationDescriptor.Parameter("id", In.PATH, true),
        new OperationDescriptor.Parameter("X-Tenant", In.HEADER, false));
    assertThat(get.produces()).containsExactly("application/json");
    assertThat(get.scopes()).containsExactly("invoices:read");
    OperationDescriptor create = op(api, "InvoiceResource.create");
    assertThat(create.consumes()).containsExactly("application/json");
    assertThat(create.scopes()).containsExactly("invoices:write");
    assertThat(create.rateLimits()).containsExactly("5/s burst 10", "1000/day");
    OperationDescriptor list = op(api, "InvoiceResource.list");
    assertThat(list.parameters()).containsExactly(new OperationDescriptor.Parameter("status", In.QUERY, false));
    assertThat(list.rateLimits()).containsExactly("50/s burst 100");
    OperationDescriptor delete = op(api, "InvoiceResource.delete");
    assertThat(delete.deprecated()).isTrue();
    assertThat(delete.scopes()).containsExactly("invoices:write", "invoices:admin");
    OperationDescriptor lines = op(api, "LineResource.list");
    // behind the locator InvoiceResource.lines, whose class requires invoices:read
    assertThat(lines.scopes()).containsExactly("invoices:read");
    assertThat(lines.parameters()).containsExactly(new OperationDescriptor.Parameter("id", In.PATH, true));
    OperationDescriptor status = op(api, "StatusResource.status");
    assertThat(status.isPublic()).isTrue();
    assertThat(status.produces()).containsExactly("text/plain");
    assertThat(api.scopes()).containsEntry("invoices:read", "Read invoices")
        .containsKeys("invoices:write", "invoices:admin");
  }

  @Test
  void producesASchemaValidOpenApi31Document() throws Exception {
    String doc = OpenApiGenerator.create(CONFIG).generate(describe());
    assertThat(OpenApi31Schema.violations(doc)).isEmpty();
    JsonNode tree = new ObjectMapper().readTree(doc);
    assertThat(tree.at("/paths/~1v1~1status/get/security").toString()).isEqualTo("[]");
    assertThat(tree.at("/paths/~1v1~1invoices/post/x-piste-rate-limits").toString())
        .isEqualTo("[\"5/s burst 10\",\"1000/day\"]");
  }

  @Test
  void withoutPisteApiTheIdentityComesFromTheApiKeysOrThereIsNone() {
    assertThat(ResourceModelDescriber.describe(null, List.of(StatusResource.class),
        PisteConfig.of(Map.of()))).isNull();
    ApiDescriptor api = ResourceModelDescriber.describe(null, List.of(StatusResource.class),
        PisteConfig.of(Map.of("piste.api.id", "status", "piste.api.version", "3")));
    assertThat(api.id()).isEqualTo("status");
    assertThat(api.operations()).extracting(OperationDescriptor::path).containsExactly("/v1/status");
  }

  /** A contract interface carrying the JAX-RS and PISTE annotations; the class only implements it. */
  public interface ReportsApi {
    @GET
    @Path("{year}")
    @Produces("text/csv")
    @RequiresScopes("reports:read")
    @RateLimit("2/s")
    String year(@PathParam("year") int year);
  }

  @Path("/v1/reports")
  public static final class Reports implements ReportsApi {
    @Override
    public String year(int year) {
      return "";
    }
  }

  @Test
  void operationsDeclaredOnAnInterfaceAreDescribedWithTheirScopesAndLimits() {
    ApiDescriptor api = ResourceModelDescriber.describe(null, List.of(Reports.class),
        PisteConfig.of(Map.of("piste.api.id", "reports", "piste.api.version", "1")));
    OperationDescriptor year = op(api, "Reports.year");
    assertThat(year.method() + " " + year.path()).isEqualTo("GET /v1/reports/{year}");
    assertThat(year.parameters()).containsExactly(new OperationDescriptor.Parameter("year", In.PATH, true));
    assertThat(year.produces()).containsExactly("text/csv");
    assertThat(year.scopes()).containsExactly("reports:read");
    assertThat(year.rateLimits()).containsExactly("2/s");
  }

  @Path("/v1/admin")
  @RequiresScopes("admin")
  public static final class Admin {
    @Path("users")
    public Users users() {
      return new Users();
    }

    @Path("keys")
    @RequiresScopes("super")
    public Users keys() {
      return new Users();
    }
  }

  public static final class Users {
    @GET
    public String list() {
      return "";
    }

    @GET
    @Path("count")
    @Public
    public String count() {
      return "";
    }
  }

  @Path("/v1/directory")
  public static final class Directory {
    @Path("users")
    public Users users() {
      return new Users();
    }
  }

  @Test
  void operationsBehindSubResourceLocatorsCarryTheScopesOfTheLocatorsOnTheirWay() {
    ApiDescriptor api = ResourceModelDescriber.describe(null, List.of(Admin.class, Directory.class),
        PisteConfig.of(Map.of("piste.api.id", "admin", "piste.api.version", "1")));
    assertThat(at(api, "GET /v1/admin/users").scopes()).containsExactly("admin");
    assertThat(at(api, "GET /v1/admin/keys").scopes()).containsExactly("super");
    OperationDescriptor count = at(api, "GET /v1/admin/users/count");
    assertThat(count.isPublic()).isFalse();
    assertThat(count.scopes()).containsExactly("admin");
    assertThat(at(api, "GET /v1/directory/users/count").isPublic()).isTrue();
    assertThat(at(api, "GET /v1/directory/users").scopes()).isEmpty();
    assertThat(at(api, "GET /v1/directory/users").isPublic()).isFalse();
  }

  @Path("/v1/codes")
  public static final class Codes {
    @GET
    @Path("{code: [A-Z]{3}}")
    public String get(@PathParam("code") String code) {
      return "";
    }

    @Path("{group: [a-z]{2,8}}/{ member : [0-9]+ }")
    public Users members() {
      return new Users();
    }
  }

  @Test
  void aTemplateRegexWithBracesEndsAtTheBraceClosingTheExpression() {
    ApiDescriptor api = ResourceModelDescriber.describe(null, List.of(Codes.class),
        PisteConfig.of(Map.of("piste.api.id", "codes", "piste.api.version", "1")));
    assertThat(api.operations()).extracting(o -> o.method() + " " + o.path()).contains(
        "GET /v1/codes/{code}", "GET /v1/codes/{group}/{member}/count");
    assertThat(at(api, "GET /v1/codes/{code}").parameters())
        .containsExactly(new OperationDescriptor.Parameter("code", In.PATH, true));
    assertThat(at(api, "GET /v1/codes/{group}/{member}").parameters()).containsExactly(
        new OperationDescriptor.Parameter("group", In.PATH, true),
        new OperationDescriptor.Parameter("member", In.PATH, true));
    assertThat(OpenApi31Schema.violations(OpenApiGenerator.create(CONFIG).generate(api))).isEmpty();
  }

  @Path("/v1/items")
  public static final class Items {
    @GET
    @Path("{id}")
    public String get(@PathParam("id") String id) {
      return "";
    }

    @DELETE
    @Path("{itemId}")
    public void delete(@PathParam("itemId") String itemId) {}
  }

  @Test
  void methodsOnTemplatesOfOneShapeShareOnePathInTheDocument() throws Exception {
    ApiDescriptor api = ResourceModelDescriber.describe(null, List.of(Items.class),
        PisteConfig.of(Map.of("piste.api.id", "items", "piste.api.version", "1")));
    String doc = OpenApiGenerator.create(CONFIG).generate(api);
    assertThat(OpenApi31Schema.violations(doc)).isEmpty();
    JsonNode paths = new ObjectMapper().readTree(doc).path("paths");
    // the first operation in the descriptor's order (by method name) names the path
    assertThat(paths.properties()).extracting(Map.Entry::getKey).containsExactly("/v1/items/{itemId}");
    assertThat(paths.at("/~1v1~1items~1{itemId}/get/parameters/0/name").asText()).isEqualTo("itemId");
    assertThat(paths.at("/~1v1~1items~1{itemId}/get/operationId").asText()).isEqualTo("Items.get");
  }

  @Path("/v1/reports")
  public static final class ReportResource {
    @GET
    @Produces("text/csv")
    @RequiresScopes("invoices:export")
    @RateLimit("1/s")
    public String export() {
      return "";
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RequiresScopes("invoices:read")
    public String list() {
      return "";
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Public
    public String page() {
      return "";
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresScopes("reports:write")
    public String create(String body) {
      return "";
    }

    @POST
    @Consumes("text/csv")
    @RequiresScopes("reports:import")
    public String upload(String body) {
      return "";
    }
  }

  @Test
  void siblingsByContentNegotiationAreOneOperationWithEachWayToBeAuthorisedAsAnAlternative()
      throws Exception {
    ApiDescriptor api = ResourceModelDescriber.describe(null, List.of(ReportResource.class),
        PisteConfig.of(Map.of("piste.api.id", "reports", "piste.api.version", "1")));
    assertThat(api.operations()).extracting(OperationDescriptor::operationId)
        .containsExactly("ReportResource.create", "ReportResource.export");
    OperationDescriptor get = at(api, "GET /v1/reports");
    // the first by name order keeps its id, scopes and limits; the others are alternatives
    assertThat(get.scopes()).containsExactly("invoices:export");
    assertThat(get.alternatives()).containsExactly(
        new OperationDescriptor.Security(false, Set.of("invoices:read")),
        new OperationDescriptor.Security(true, Set.of()));
    assertThat(get.produces()).containsExactly("text/csv", "application/json", "text/html");
    assertThat(get.rateLimits()).containsExactly("1/s");
    assertThat(api.scopes()).containsKeys("invoices:export", "invoices:read", "reports:import");

    String doc = OpenApiGenerator.create(CONFIG).generate(api);
    assertThat(OpenApi31Schema.violations(doc)).isEmpty();
    JsonNode item = new ObjectMapper().readTree(doc).at("/paths/~1v1~1reports");
    assertThat(item.at("/get/security").toString()).isEqualTo(
        "[{\"oauth2\":[\"invoices:export\"]},{\"oauth2\":[\"invoices:read\"]},{}]");
    assertThat(item.at("/get/responses/200/content").properties()).extracting(Map.Entry::getKey)
        .containsExactly("text/csv", "application/json", "text/html");
    assertThat(item.at("/get/responses/401").isMissingNode()).isFalse();
    assertThat(item.at("/post/operationId").asText()).isEqualTo("ReportResource.create");
    assertThat(item.at("/post/security").toString()).isEqualTo(
        "[{\"oauth2\":[\"reports:write\"]},{\"oauth2\":[\"reports:import\"]}]");
    assertThat(item.at("/post/requestBody/content").properties()).extracting(Map.Entry::getKey)
        .containsExactly("application/json", "text/csv");
  }

  public static class Paging {
    @QueryParam("page")
    int page;

    @QueryParam("size")
    int size;
  }

  public static final class SearchParams extends Paging {
    @BeanParam
    Tenant tenant;

    @QueryParam("q")
    String query;

    private String sort;

    @QueryParam("sort")
    public void setSort(String sort) {
      this.sort = sort;
    }

    String sort() {
      return sort;
    }
  }

  public static final class Tenant {
    final String id;

    public Tenant(@HeaderParam("X-Tenant") String id) {
      this.id = id;
    }
  }

  @Path("/v1/notes")
  public static final class NoteResource {
    @GET
    public String search(@BeanParam SearchParams params, @CookieParam("session") String session,
        @MatrixParam("lang") String lang) {
      return "";
    }

    @POST
    public String create(byte[] body, @Context HttpHeaders headers) {
      return "";
    }

    @PUT
    @Path("{id}")
    public String rename(@PathParam("id") String id, @FormParam("title") String title,
        @FormParam("colour") String colour) {
      return "";
    }
  }

  @Test
  void describesCookieBeanAndFormParametersAndTheEntityOfAMethodWithoutConsumes() throws Exception {
    ApiDescriptor api = ResourceModelDescriber.describe(null, List.of(NoteResource.class),
        PisteConfig.of(Map.of("piste.api.id", "notes", "piste.api.version", "1")));
    // the bean's superclass's fields first, then its own fields and setters by name, then its
    // constructors' parameters; a nested @BeanParam in its place; @MatrixParam is not described
    assertThat(at(api, "GET /v1/notes").parameters()).containsExactly(
        new OperationDescriptor.Parameter("page", In.QUERY, false),
        new OperationDescriptor.Parameter("size", In.QUERY, false),
        new OperationDescriptor.Parameter("q", In.QUERY, false),
        new OperationDescriptor.Parameter("X-Tenant", In.HEADER, false),
        new OperationDescriptor.Parameter("sort", In.QUERY, false),
        new OperationDescriptor.Parameter("session", In.COOKIE, false));
    assertThat(at(api, "POST /v1/notes").consumes()).containsExactly("*/*");
    OperationDescriptor rename = at(api, "PUT /v1/notes/{id}");
    assertThat(rename.consumes()).containsExactly("application/x-www-form-urlencoded");
    assertThat(rename.formParameters()).containsExactly("title", "colour");

    String doc = OpenApiGenerator.create(CONFIG).generate(api);
    assertThat(OpenApi31Schema.violations(doc)).isEmpty();
    JsonNode item = new ObjectMapper().readTree(doc).path("paths");
    assertThat(item.at("/~1v1~1notes/get/parameters/5").toString())
        .isEqualTo("{\"name\":\"session\",\"in\":\"cookie\",\"required\":false,"
            + "\"schema\":{\"type\":\"string\"}}");
    assertThat(item.at("/~1v1~1notes/post/requestBody/content").properties())
        .extracting(Map.Entry::getKey).containsExactly("*/*");
    assertThat(item.at("/~1v1~1notes~1{id}/put/requestBody/content").toString()).isEqualTo(
        "{\"application/x-www-form-urlencoded\":{\"schema\":{\"type\":\"object\",\"properties\":"
            + "{\"title\":{\"type\":\"string\"},\"colour\":{\"type\":\"string\"}}}}}");
  }

  @Test
  void aVoidMethodIsDocumentedAsAnsweringNoContent() throws Exception {
    ApiDescriptor api = describe();
    assertThat(op(api, "InvoiceResource.delete").noContent()).isTrue();
    assertThat(op(api, "InvoiceResource.get").noContent()).isFalse();
    String doc = OpenApiGenerator.create(CONFIG).generate(api);
    assertThat(OpenApi31Schema.violations(doc)).isEmpty();
    JsonNode responses = new ObjectMapper().readTree(doc)
        .at("/paths/~1v1~1invoices~1{id}/delete/responses");
    assertThat(responses.properties()).extracting(Map.Entry::getKey)
        .containsExactly("204", "401", "403", "429");
    assertThat(responses.at("/204").toString()).isEqualTo("{\"description\":\"No Content\"}");
  }

  @Path("/v1/jobs")
  public static final class JobResource {
    @POST
    public void start(@Suspended AsyncResponse response) {}
  }

  @Test
  void aVoidMethodResumingAnAsyncResponseIsNotNoContent() {
    ApiDescriptor api = ResourceModelDescriber.describe(null, List.of(JobResource.class),
        PisteConfig.of(Map.of("piste.api.id", "jobs", "piste.api.version", "1")));
    assertThat(op(api, "JobResource.start").noContent()).isFalse();
  }

  private static OperationDescriptor at(ApiDescriptor api, String methodAndPath) {
    return api.operations().stream().filter(o -> (o.method() + " " + o.path()).equals(methodAndPath))
        .findFirst().orElseThrow(() -> new AssertionError(methodAndPath + " not described"));
  }

  private static OperationDescriptor op(ApiDescriptor api, String id) {
    return api.operations().stream().filter(o -> o.operationId().equals(id)).findFirst().orElseThrow();
  }
}
