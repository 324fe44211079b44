package dev.piste.examples.invoices;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example's main class as an operator runs it: a separate JVM, bad configuration, SIGTERM. */
final class InvoicesApiProcessTest {

  private static final Pattern PORT = Pattern.compile("listening on port (\\d+)");

  private static ProcessBuilder java(Path dir, String... args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path")));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
  }

  @Test
  void aBadConfigurationPrintsEveryProblemAndExitsWithoutServing(@TempDir Path dir) throws Exception {
    Process p = java(dir, "-Dpiste.token.clock-skew=soon", "-Dpiste.enabled=maybe",
        "-Dpiste.audit.spool-dir=" + dir.resolve("spool"),
        InvoicesApi.class.getName(), "--port", "0").start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isNotZero();
    assertThat(out).contains("piste.token.clock-skew = 'soon'").contains("piste.enabled = 'maybe'")
        .doesNotContain("listening on port");
  }

  @Test
  void sigtermClosesTheEngineCleanly(@TempDir Path dir) throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    Path log = dir.resolve("out.log");
    Process p = java(dir, "-Dpiste.audit.sinks=file", "-Dpiste.audit.file.path=" + audit,
        "-Dpiste.audit.spool-dir=" + dir.resolve("spool"),
        InvoicesApi.class.getName(), "--port", "0", "--host", "127.0.0.1")
        .redirectOutput(log.toFile()).start();
    try {
      int port = -1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (port < 0 && System.nanoTime() < deadline && p.isAlive()) {
        Matcher m = PORT.matcher(Files.readString(log));
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        } else {
          Thread.sleep(100);
        }
      }
      assertThat(port).as("bound port printed; output: %s", Files.readString(log)).isPositive();
      java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + port + "/v1/invoices")).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding());
      p.destroy();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertThat(Files.readString(log)).contains("PISTE engine closed");
    assertThat(Files.readString(audit)).contains("\"status\":401")
        .contains("\"outcome\":\"missing_credential\"").contains("\"clientIp\":\"127.0.0.1\"")
        .contains("\"path\":\"/v1/invoices\"").contains("\"operationId\":\"InvoiceResource.list\"");
  }
}
