package dev.piste.core.audit;

import dev.piste.core.PisteConfig;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.testing.TestRequest;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The child JVM of the crash tests: records {@code count} events with request ids
 * {@code <run>-<i>} to one sink and, every 250 events, waits until every event recorded so far has
 * left memory (delivered or spooled) and prints {@code checkpoint <n>}: a SIGKILL after that line
 * must lose none of the first n events. Closes the engine (drain) at the end and prints
 * {@code closed}.
 *
 * <p>Arguments: {@code http <collector-url> <spool-dir> <count> <run>} or
 * {@code jdbc <jdbc-url> <user> <spool-dir> <count> <run>}, optionally followed by {@code hold}:
 * then, after {@code produced}, it waits for a line on its standard input before closing.
 */
public final class AuditChildMain {
  private AuditChildMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Map<String, String> m = new HashMap<>();
    int a = 0;
    String kind = args[a++];
    m.put("piste.audit.sinks", kind);
    if (kind.equals("http")) {
      m.put("piste.audit.http.url", args[a++]);
    } else {
      m.put("piste.audit.jdbc.url", args[a++]);
      m.put("piste.audit.jdbc.user", args[a++]);
    }
    m.put("piste.audit.spool-dir", args[a++]);
    int count = Integer.parseInt(args[a++]);
    String run = args[a++];
    boolean hold = a < args.length && args[a].equals("hold");
    m.put("piste.audit.flush-interval", "20ms");
    m.put("piste.audit.batch-size", "200");
    OperationPolicy policy = AuditHarness.policy("InvoiceResource.list", "/v1/invoices");
    AuditHarness h = new AuditHarness(PisteConfig.of(m));
    out.println("started");
    for (int i = 0; i < count; i++) {
      h.serve(TestRequest.get("/v1/invoices").header("X-API-Key", "k")
          .header("X-Request-Id", run + "-" + i), policy, null);
      if (i % 250 == 249) {
        long recorded = h.audit.stats().recorded.sum();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (h.audit.settled() < recorded && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        if (h.audit.settled() >= recorded && h.audit.stats().lost.get() == 0) {
          out.println("checkpoint " + (i + 1));
        }
      }
    }
    out.println("produced " + count);
    if (hold) {
      new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))
          .readLine();
    }
    h.close();
    out.println("closed " + h.audit.stats());
  }
}
