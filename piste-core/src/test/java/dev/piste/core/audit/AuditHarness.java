package dev.piste.core.audit;

import dev.piste.AuthenticationMethod;
import dev.piste.Caller;
import dev.piste.Outcome;
import dev.piste.audit.AuditSink;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.audit.AuditPipeline;
import dev.piste.core.internal.audit.AuditSinks;
import dev.piste.core.internal.audit.BodyCapture;
import dev.piste.core.internal.pipeline.Authenticator;
import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.internal.pipeline.Pipeline;
import dev.piste.core.internal.pipeline.RateLimiter;
import dev.piste.core.internal.problem.Problem;
import dev.piste.core.internal.problem.Problems;
import dev.piste.core.testing.TestRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request pipeline with a small authenticator and rate limiter standing in for the token and
 * rate-limit stages, and the real audit pipeline; each call of {@link #serve} plays one request the
 * way an adapter does: begin, enforce, the application, complete from a finally.
 *
 * <p>Credentials: {@code Bearer good} or {@code Bearer good.…} (application {@code app-1}, subject {@code alice}, scope
 * {@code invoices:read}), {@code Bearer expired} (401 invalid_token), {@code Bearer outage} (503),
 * header {@code X-API-Key: key-…} (API key of {@code app-2}). Header {@code X-Test-Limit: exhausted}
 * answers 429; otherwise 41 tokens remain.
 */
final class AuditHarness implements AutoCloseable {

  static final String INSTANCE = "instance-7";
  final AuditPipeline audit;
  final Pipeline pipeline;
  final PisteConfig config;
  final BodyCapture.Policy bodies;

  AuditHarness(Map<String, String> properties, AuditSink... sinks) {
    this(PisteConfig.of(properties), sinks);
  }

  AuditHarness(PisteConfig config, AuditSink... sinks) {
    this.config = config;
    this.audit = (AuditPipeline) AuditSinks.recorder(config, INSTANCE, List.of(sinks));
    this.pipeline = new Pipeline(true, Clock.systemUTC(), "invoices", AuditHarness::authenticate,
        new RateLimiter() {
          @Override
          public Problem beforeAuthentication(Exchange exchange) {
            return null;
          }

          @Override
          public Problem check(Exchange ex) {
            if ("exhausted".equals(ex.request().header("X-Test-Limit"))) {
              ex.rateLimitRemaining(0);
              ex.outcome(Outcome.RATE_LIMITED, "plan_per_second");
              return Problems.rateLimited("5/s", 1);
            }
            ex.rateLimitRemaining(41);
            return null;
          }
        }, audit, new dev.piste.core.internal.pipeline.ClientIps(List.of()));
    this.bodies = BodyCapture.Policy.of(config);
    audit.start();
  }

  private static Problem authenticate(Exchange ex) {
    String auth = ex.request().header("Authorization");
    String key = ex.request().header("X-API-Key");
    if (auth != null && auth.startsWith("Bearer ")) {
      String t = auth.substring(7);
      if (t.startsWith("expired")) {
        ex.outcome(Outcome.INVALID_TOKEN, "expired");
        return Problems.invalidToken("invoices", "The access token expired");
      }
      if (t.equals("outage")) {
        ex.outcome(Outcome.UNAVAILABLE, "jwks_unavailable");
        return Problems.unavailable("The key source is unavailable", 5);
      }
      ex.caller(Caller.builder().applicationId("app-1").subject("alice")
          .scopes(Set.of("invoices:read")).method(AuthenticationMethod.JWT).build());
    } else if (key != null) {
      ex.caller(Caller.builder().applicationId("app-2").scopes(Set.of("invoices:read"))
          .method(AuthenticationMethod.API_KEY).build());
    }
    return null;
  }

  static OperationPolicy policy(String operationId, String template, String... scopes) {
    return new OperationPolicy(operationId, template, false, Set.of(scopes), List.of(), true);
  }

  /** One request; the application answers 200 with a 12-byte body, or throws {@code failure}. */
  int serve(TestRequest request, OperationPolicy policy, RuntimeException failure) {
    return serve(request, policy, failure, null);
  }

  int serve(TestRequest request, OperationPolicy policy, RuntimeException failure,
      String body) {
    Exchange ex = pipeline.begin(request, policy);
    int status = 500;
    long responseBytes = 0;
    Throwable error = null;
    try {
      Problem p = pipeline.enforce(ex);
      if (p != null) {
        status = p.status();
        responseBytes = p.body().length;
        return status;
      }
      if (body != null) {
        BodyCapture capture = bodies.start(request.header("Content-Type"));
        if (capture != null) {
          byte[] b = body.getBytes(StandardCharsets.UTF_8);
          capture.write(b, 0, b.length);
          capture.finish(ex);
        }
      }
      if (failure != null) {
        error = failure;
        throw failure;
      }
      status = 200;
      responseBytes = 12;
      return status;
    } catch (RuntimeException e) {
      return 500;
    } finally {
      pipeline.complete(ex, status, body == null ? 0 : body.length(), responseBytes, error);
    }
  }

  @Override
  public void close() {
    audit.close();
  }
}
