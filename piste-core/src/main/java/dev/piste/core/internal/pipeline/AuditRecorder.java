package dev.piste.core.internal.pipeline;

/**
 * Turns a completed exchange into an audit event and enqueues it. Runs on the request thread: it
 * must never block.
 */
public interface AuditRecorder extends AutoCloseable {

  void record(Exchange exchange, Throwable error);

  /** Starts the background delivery. */
  default void start() {}

  /** Drains what is queued and stops. */
  @Override
  default void close() {}

  /** Records nothing. */
  static AuditRecorder none() {
    return (exchange, error) -> {};
  }
}
