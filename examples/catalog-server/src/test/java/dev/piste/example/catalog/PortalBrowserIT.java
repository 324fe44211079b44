package dev.piste.example.catalog;

import static dev.piste.core.testing.Poll.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The developer portal in a real headless browser: Debian's {@code /usr/bin/chromium} loads the
 * page of a catalog where the example API registered itself, and its DOM lists the API and its
 * operations. Runs only with {@code -Pbrowser-tests}; there a missing chromium is a failure.
 */
final class PortalBrowserIT {

  private static final Path CHROMIUM = Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));

  @Test
  void theDeveloperPortalListsTheExampleApiAndItsOperationsInHeadlessChromium(@TempDir Path profile)
      throws Exception {
    assertThat(Files.isExecutable(CHROMIUM))
        .as("chromium must be installed at %s (apt-get install -y chromium)", CHROMIUM).isTrue();
    try (CatalogServer catalog = CatalogServer.start("127.0.0.1", 0, null, null, Clock.systemUTC());
        Piste piste = Piste.create(PisteConfig.of(Map.of(
            "piste.catalog.url", catalog.url().toString(),
            "piste.catalog.instance-url", "http://127.0.0.1:8080/",
            "piste.instance-id", "browser-check-instance")))) {
      piste.describe(ExampleApi.invoices("1.0.0")).start();
      await("the registration", Duration.ofSeconds(10), () -> {
        CatalogStore.Version v = catalog.store().version("invoices", "1.0.0");
        return v != null && !catalog.store().liveInstances(v).isEmpty();
      });

      String dom = dumpDom(catalog.url().resolve("/").toString(), profile);

      assertThat(dom).contains("<title>PISTE API catalog</title>");
      assertThat(dom).contains("id=\"api-invoices\"", "Invoices API", "Version 1.0.0");
      assertThat(dom).contains("InvoiceResource.list", "InvoiceResource.get",
          "InvoiceResource.create", "StatusResource.status");
      assertThat(dom).contains("/v1/invoices/{id}", "invoices:read", "5/s burst 10");
      assertThat(dom).contains("browser-check-instance");
      assertThat(dom).contains("/apis/invoices/versions/1.0.0/openapi.json");
    }
  }

  private static String dumpDom(String url, Path profile) throws IOException, InterruptedException {
    List<String> command = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
        "--dump-dom", url);
    Path out = profile.resolveSibling(profile.getFileName() + "-dom.html");
    Path err = profile.resolveSibling(profile.getFileName() + "-chromium.log");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    try {
      boolean exited = p.waitFor(90, TimeUnit.SECONDS);
      assertThat(exited).as("chromium exited within 90 s").isTrue();
      String dom = Files.readString(out, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as("chromium exit status; stderr:%n%s",
          Files.readString(err, StandardCharsets.UTF_8)).isZero();
      return dom;
    } finally {
      p.destroyForcibly();
    }
  }
}
