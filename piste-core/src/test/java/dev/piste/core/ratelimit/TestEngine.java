package dev.piste.core.ratelimit;

import dev.piste.AuthenticationMethod;
import dev.piste.Caller;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.pipeline.AuditRecorder;
import dev.piste.core.internal.pipeline.Authenticator;
import dev.piste.core.internal.pipeline.ClientIps;
import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.internal.pipeline.Pipeline;
import dev.piste.core.internal.pipeline.RateLimiter;
import dev.piste.core.internal.problem.Problem;
import dev.piste.core.internal.problem.Problems;
import dev.piste.core.internal.ratelimit.RateLimitStage;
import dev.piste.core.testing.TestRequest;
import dev.piste.ratelimit.PlanResolver;
import dev.piste.ratelimit.RateLimitKeyResolver;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One engine instance ("server") of the rate-limit tests: the real pipeline and stage, with an
 * authenticator that trusts the test headers {@code X-Test-App} (application id), {@code X-Test-Sub}
 * and {@code X-Test-Plan} (a {@code plan} claim), and answers 401 to {@code X-Test-Bad}.
 */
final class TestEngine implements AutoCloseable {

  /** What the pipeline answered. */
  record Result(int status, Problem problem, Map<String, String> headers, Exchange exchange) {
    String header(String name) {
      return headers.get(name);
    }
  }

  final RateLimiter limiter;
  final Pipeline pipeline;

  /** Three engines of one configuration, as three instances of the application sharing a store. */
  static List<TestEngine> three(Map<String, String> properties, Clock clock) {
    return List.of(new TestEngine(properties, clock), new TestEngine(properties, clock),
        new TestEngine(properties, clock));
  }

  TestEngine(Map<String, String> properties, Clock clock) {
    this(properties, clock, null, null);
  }

  TestEngine(Map<String, String> properties, Clock clock, PlanResolver plans,
      RateLimitKeyResolver keys) {
    PisteConfig.Builder b = PisteConfig.defaults().toBuilder();
    properties.forEach(b::property);
    PisteConfig config = b.clock(clock).build();
    this.limiter = RateLimitStage.create(config, plans, keys);
    Authenticator auth = ex -> {
      if (ex.request().header("X-Test-Bad") != null) {
        return Problems.invalidToken("test", "The access token is invalid.");
      }
      String app = ex.request().header("X-Test-App");
      if (app != null) {
        Map<String, Object> claims = new HashMap<>();
        if (ex.request().header("X-Test-Plan") != null) {
          claims.put("plan", ex.request().header("X-Test-Plan"));
        }
        ex.caller(Caller.builder().applicationId(app).subject(ex.request().header("X-Test-Sub"))
            .claims(claims).method(AuthenticationMethod.JWT).build());
      }
      return null;
    };
    this.pipeline = new Pipeline(true, clock, "test", auth, limiter, AuditRecorder.none(),
        ClientIps.of(config));
  }

  RateLimitStage stage() {
    return (RateLimitStage) limiter;
  }

  Result call(TestRequest request, OperationPolicy policy) {
    Exchange ex = pipeline.begin(request, policy);
    Problem p = pipeline.enforce(ex);
    int status = p == null ? 200 : p.status();
    pipeline.complete(ex, status, 0, 0, null);
    Map<String, String> headers = new LinkedHashMap<>();
    ex.responseHeaders().forEach(h -> headers.merge(h.name(), h.value(), (a, c) -> a + ", " + c));
    if (p != null) {
      p.headers().forEach(h -> headers.put(h.name(), h.value()));
    }
    return new Result(status, p, headers, ex);
  }

  /** A call of application {@code app} (with an optional plan claim) on a protected operation. */
  Result call(String app, String plan, OperationPolicy policy) {
    TestRequest r = TestRequest.of("GET", "/v1/invoices").remoteAddress("192.0.2.10");
    if (app != null) {
      r.header("X-Test-App", app);
    }
    if (plan != null) {
      r.header("X-Test-Plan", plan);
    }
    return call(r, policy);
  }

  static OperationPolicy operation(String id) {
    return OperationPolicy.authenticated(id, "/v1/invoices");
  }

  static OperationPolicy operation(String id, List<dev.piste.core.internal.pipeline.OperationLimit> limits) {
    return new OperationPolicy(id, "/v1/invoices", false, java.util.Set.of(), limits, true);
  }

  @Override
  public void close() {
    limiter.close();
  }
}
