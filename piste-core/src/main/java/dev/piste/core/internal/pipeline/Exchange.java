package dev.piste.core.internal.pipeline;

import dev.piste.Caller;
import dev.piste.Outcome;
import dev.piste.PisteRequest;
import dev.piste.core.internal.problem.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * The mutable state of one request as it goes through the pipeline: created by {@link
 * Pipeline#begin}, filled by the stages, read by the audit recorder at {@link Pipeline#complete}.
 * Confined to the request's thread(s); not thread-safe.
 */
public final class Exchange {

  private final PisteRequest request;
  private final OperationPolicy policy;
  private final long startNanos;
  private final long startMillis;
  private final Correlation correlation;
  private final List<Problem.Header> responseHeaders = new ArrayList<>(4);
  private Caller caller;
  private Outcome outcome = Outcome.ALLOWED;
  private String reason;
  private String clientIp;
  private String rateLimitClient;
  private long rateLimitRemaining = -1;
  private int status;
  private long requestBytes = -1;
  private long responseBytes = -1;
  private String requestBody;
  private boolean requestBodyTruncated;
  private boolean completed;
  /** The pipeline whose audit record of this exchange waits for {@link Pipeline#recordDeferred}. */
  private Pipeline deferredAudit;

  Exchange(PisteRequest request, OperationPolicy policy, long startNanos, long startMillis,
      Correlation correlation) {
    this.request = request;
    this.policy = policy;
    this.startNanos = startNanos;
    this.startMillis = startMillis;
    this.correlation = correlation;
  }

  public PisteRequest request() {
    return request;
  }

  public OperationPolicy policy() {
    return policy;
  }

  /** {@link System#nanoTime()} when the request entered the library (outermost). */
  public long startNanos() {
    return startNanos;
  }

  /** Wall-clock start in epoch milliseconds, from the engine's clock. */
  public long startMillis() {
    return startMillis;
  }

  public Correlation correlation() {
    return correlation;
  }

  /** The authenticated caller, {@code null} until authentication ran or when none was presented. */
  public Caller caller() {
    return caller;
  }

  public void caller(Caller caller) {
    this.caller = caller;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** A short machine reason for the outcome ({@code expired}, {@code unknown_kid}, ...); never a secret. */
  public String reason() {
    return reason;
  }

  public void outcome(Outcome outcome, String reason) {
    this.outcome = outcome;
    this.reason = reason;
  }

  /** The client as rate limits count it (an IPv6 client's /64), once worked out; else null. */
  public String rateLimitClient() {
    return rateLimitClient;
  }

  public void rateLimitClient(String client) {
    this.rateLimitClient = client;
  }

  /** The client IP (trusted-proxy rules applied), computed once by whoever needs it first. */
  public String clientIp() {
    return clientIp;
  }

  public void clientIp(String clientIp) {
    this.clientIp = clientIp;
  }

  /** Tokens left in the most restrictive limit after this request, or -1 when no limit applied. */
  public long rateLimitRemaining() {
    return rateLimitRemaining;
  }

  public void rateLimitRemaining(long remaining) {
    this.rateLimitRemaining = remaining;
  }

  /** Headers the adapter adds to the response, allowed or denied ({@code RateLimit}, {@code X-Request-Id}). */
  public List<Problem.Header> responseHeaders() {
    return responseHeaders;
  }

  public void addResponseHeader(String name, String value) {
    responseHeaders.add(new Problem.Header(name, value));
  }

  public int status() {
    return status;
  }

  public long requestBytes() {
    return requestBytes;
  }

  public long responseBytes() {
    return responseBytes;
  }

  /** The captured, redacted request body for the audit event, or {@code null} (capture is off by default). */
  public String requestBody() {
    return requestBody;
  }

  /** Whether the captured body was cut at {@code piste.audit.body.max-size}. */
  public boolean requestBodyTruncated() {
    return requestBodyTruncated;
  }

  /** Set by the adapter from a {@code dev.piste.core.internal.audit.BodyCapture}; already redacted. */
  public void requestBody(String redactedBody, boolean truncated) {
    this.requestBody = redactedBody;
    this.requestBodyTruncated = truncated;
  }

  /** Records what the adapter observed of the response; called once, by {@link Pipeline#complete}. */
  void finish(int status, long requestBytes, long responseBytes) {
    this.status = status;
    this.requestBytes = requestBytes;
    this.responseBytes = responseBytes;
  }

  /** Whether the audit record is waiting for {@link Pipeline#recordDeferred}. */
  boolean auditDeferred() {
    return deferredAudit != null;
  }

  /** The status the container answers instead of the one completed with. */
  void reviseStatus(int status) {
    this.status = status;
  }

  void deferAudit(Pipeline pipeline) {
    deferredAudit = pipeline;
  }

  /** The pipeline of a deferred audit record, once: {@code null} when none is waiting. */
  Pipeline takeDeferredAudit() {
    Pipeline p = deferredAudit;
    deferredAudit = null;
    return p;
  }

  boolean markCompleted() {
    if (completed) {
      return false;
    }
    completed = true;
    return true;
  }
}
