package dev.piste.core.internal.pipeline;

import dev.piste.Caller;
import dev.piste.Outcome;
import dev.piste.PisteRequest;
import dev.piste.core.internal.problem.Problem;
import dev.piste.core.internal.problem.Problems;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One request, in order: correlation, pre-authentication limit, authentication, authorization
 * (scopes), rate limits; then, whatever happened, one audit record. The adapters call {@link #begin}
 * once, {@link #enforce} once, and {@link #complete} once from a {@code finally}.
 */
public final class Pipeline {

  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  public static final String MDC_REQUEST_ID = "requestId";
  public static final String MDC_TRACE_ID = "traceId";
  public static final String MDC_SPAN_ID = "spanId";

  private final boolean enabled;
  private final Clock clock;
  private final String realm;
  private final Authenticator authenticator;
  private final RateLimiter rateLimiter;
  private final AuditRecorder audit;
  private final ClientIps clientIps;

  /** A pipeline that believes no forwarding header: the socket address is the client IP. */
  public Pipeline(boolean enabled, Clock clock, String realm, Authenticator authenticator,
      RateLimiter rateLimiter, AuditRecorder audit) {
    this(enabled, clock, realm, authenticator, rateLimiter, audit, ClientIps.none());
  }

  public Pipeline(boolean enabled, Clock clock, String realm, Authenticator authenticator,
      RateLimiter rateLimiter, AuditRecorder audit, ClientIps clientIps) {
    this.enabled = enabled;
    this.clock = Objects.requireNonNull(clock);
    this.realm = Objects.requireNonNull(realm);
    this.authenticator = Objects.requireNonNull(authenticator);
    this.rateLimiter = Objects.requireNonNull(rateLimiter);
    this.audit = Objects.requireNonNull(audit);
    this.clientIps = Objects.requireNonNull(clientIps);
  }

  /** Whether enforcement is on; when off, adapters pass every request through untouched. */
  public boolean enabled() {
    return enabled;
  }

  public String realm() {
    return realm;
  }

  /** Starts the clock and the correlation of a request; puts its ids in the SLF4J MDC. */
  public Exchange begin(PisteRequest request, OperationPolicy policy) {
    long nanos = System.nanoTime();
    Correlation c = Correlation.of(request);
    MDC.put(MDC_REQUEST_ID, c.requestId());
    MDC.put(MDC_TRACE_ID, c.traceId());
    MDC.put(MDC_SPAN_ID, c.spanId());
    Exchange ex = new Exchange(request, policy, nanos, clock.millis(), c);
    ex.addResponseHeader(Correlation.REQUEST_ID_HEADER, c.requestId());
    ex.clientIp(clientIps.resolve(request));
    return ex;
  }

  /**
   * Authenticates, authorizes and rate-limits. Returns {@code null} when the request may proceed
   * (the caller is then in the exchange), or the problem to answer with.
   */
  public Problem enforce(Exchange ex) {
    Problem p = rateLimiter.beforeAuthentication(ex);
    if (p != null) {
      return deny(ex, p, "anonymous_limit");
    }
    p = authenticator.authenticate(ex);
    if (p != null) {
      rateLimiter.authenticationFailed(ex);
      return deny(ex, p, ex.reason() != null ? ex.reason() : p.outcome().code());
    }
    p = authorize(ex, ex.policy());
    if (p != null) {
      return p;
    }
    if (ex.caller() == null) {
      // a public operation called without a credential
      ex.caller(Caller.anonymous());
    }
    p = rateLimiter.check(ex);
    if (p != null) {
      return deny(ex, p, ex.reason() != null ? ex.reason() : p.outcome().code());
    }
    return null;
  }

  /**
   * The credential and scopes {@code policy} requires, checked against the exchange's caller: part
   * of {@link #enforce}, and alone for a request another adapter already enforced (the servlet
   * filter in front of a JAX-RS feature, whose resource method adds its own scopes), with no second
   * token check, rate limit or audit event. Returns {@code null} when the request may proceed, or
   * the problem to answer with (the exchange's outcome set).
   */
  public Problem authorize(Exchange ex, OperationPolicy policy) {
    if (policy.publicOperation()) {
      return null;
    }
    Caller caller = ex.caller();
    if (caller == null || caller == Caller.anonymous()) {
      return deny(ex, Problems.missingCredential(realm), "no_credential");
    }
    Set<String> required = policy.scopes();
    if (!required.isEmpty() && !caller.scopes().containsAll(required)) {
      return deny(ex, Problems.insufficientScope(realm, required), "missing_scope");
    }
    return null;
  }

  private static Problem deny(Exchange ex, Problem p, String reason) {
    if (ex.outcome() == Outcome.ALLOWED || ex.outcome() != p.outcome()) {
      ex.outcome(p.outcome(), reason);
    }
    return p.withInstance(ex.correlation().requestId());
  }

  /**
   * Completes the exchange: records the status and sizes, hands it to the audit recorder and clears
   * the MDC. Idempotent; never throws.
   */
  public void complete(Exchange ex, int status, long requestBytes, long responseBytes,
      Throwable error) {
    complete(ex, status, requestBytes, responseBytes, error, false);
  }

  /**
   * As {@link #complete}, but the audit record waits for {@link #recordDeferred}, which the
   * container calls once the response is written ({@link RequestView#endedByContainer}): the
   * client has its answer before the event is built, and the event's duration includes the
   * writing of the response.
   */
  public void completeDeferringAudit(Exchange ex, int status, long requestBytes,
      long responseBytes) {
    complete(ex, status, requestBytes, responseBytes, null, true);
  }

  /**
   * Removes this request's ids from the SLF4J MDC of the current thread: for a thread that leaves an
   * asynchronous request, whose exchange another thread completes, so that its next log lines do
   * not carry that request's ids.
   */
  public static void leaveThread() {
    MDC.remove(MDC_REQUEST_ID);
    MDC.remove(MDC_TRACE_ID);
    MDC.remove(MDC_SPAN_ID);
  }

  /**
   * Writing the response of an exchange whose audit record waits ({@link #completeDeferringAudit})
   * failed: the event says {@code error}, with the name of the exception as its reason. Nothing
   * happens once the record is made.
   */
  public static void failedWriting(Exchange ex, Throwable error) {
    if (ex.auditDeferred() && ex.outcome() == Outcome.ALLOWED) {
      ex.outcome(Outcome.ERROR, error.getClass().getSimpleName());
    }
  }

  /**
   * The container answers {@code status} instead of the status an exchange whose audit record waits
   * was completed with (an exception mapped after a failed write): the event gets it. Returns
   * whether the record was still waiting.
   */
  public static boolean reviseDeferred(Exchange ex, int status) {
    if (!ex.auditDeferred()) {
      return false;
    }
    ex.reviseStatus(status);
    if (status >= 500 && ex.outcome() == Outcome.ALLOWED) {
      ex.outcome(Outcome.ERROR, "status_" + status);
    }
    return true;
  }

  /** Records the audit event that {@link #completeDeferringAudit} left waiting, once; never throws. */
  public static void recordDeferred(Exchange ex) {
    Pipeline p = ex.takeDeferredAudit();
    if (p == null) {
      return;
    }
    try {
      p.audit.record(ex, null);
    } catch (RuntimeException e) {
      LOG.warn("audit recording failed: {}", e.getClass().getName());
    }
  }

  private void complete(Exchange ex, int status, long requestBytes, long responseBytes,
      Throwable error, boolean deferAudit) {
    if (!ex.markCompleted()) {
      return;
    }
    try {
      ex.finish(status, requestBytes, responseBytes);
      if ((status >= 500 || error != null) && ex.outcome() == Outcome.ALLOWED) {
        ex.outcome(Outcome.ERROR, error != null ? error.getClass().getSimpleName() : "status_" + status);
      }
      if (ex.policy().audited()) {
        if (deferAudit) {
          ex.deferAudit(this);
        } else {
          audit.record(ex, error);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("audit recording failed: {}", e.getClass().getName());
    } finally {
      leaveThread();
    }
  }
}
