package dev.piste.core.internal.pipeline;

import dev.piste.PisteRequest;

/**
 * An adapter's view of one request, which also carries the exchange that a JAX-RS filter began on
 * it: the response filter and the servlet listener find the exchange there at the end of the
 * request, without another lookup through the runtime's request properties.
 */
public abstract class RequestView implements PisteRequest {

  private Exchange exchange;
  private boolean enforcedOutside;

  /**
   * Whether the container calls the library back once the response is written (the servlet
   * listener's {@code requestDestroyed} at the end of a dispatch that did not go asynchronous), so
   * that an adapter can leave the audit record to that call ({@link Pipeline#completeDeferringAudit}).
   * Asked when the response is about to be written.
   */
  public boolean endedByContainer() {
    return false;
  }

  /** The exchange a JAX-RS filter began on this request, or {@code null}. */
  public final Exchange exchange() {
    return exchange;
  }

  public final void exchange(Exchange exchange) {
    this.exchange = exchange;
  }

  /**
   * Whether the servlet filter began, enforced and completes this request's exchange: a JAX-RS
   * feature behind it then only adds the scopes of its resource method, so that the request is
   * rate-limited and audited once.
   */
  public final boolean enforcedOutside() {
    return enforcedOutside;
  }

  public final void enforcedOutside(Exchange exchange) {
    this.exchange = exchange;
    this.enforcedOutside = true;
  }

  /** The request body's declared length ({@code Content-Length}), or -1 when absent or invalid. */
  public long contentLength() {
    String length = header("Content-Length");
    if (length == null) {
      return -1;
    }
    try {
      long n = Long.parseLong(length.strip());
      return n >= 0 ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
