package dev.piste.audit;

import java.util.List;

/**
 * Thrown by a sink whose destination refused some events of a batch for good, having written the
 * rest of it: writing those events again would be refused again (an HTTP collector answering
 * {@code 413 Content Too Large} to one event alone). The pipeline counts them lost, logs it, and
 * goes on with the next batch instead of writing this one again, so that one event the destination
 * never takes does not hold back every event behind it.
 *
 * <p>A sink that cannot tell a refusal for good from a failure that may pass (a collector that is
 * down, misconfigured, or answers 400 to everything) throws another exception: the batch is then
 * kept and written again later.
 */
public final class RejectedEventsException extends Exception {

  private static final long serialVersionUID = 1L;

  /** The ids of the refused events. */
  private final List<String> eventIds;

  /**
   * @param reason why they were refused, for the log (no event content, no credential)
   * @param eventIds the {@link AuditEvent#eventId()} of each refused event of the batch
   */
  public RejectedEventsException(String reason, List<String> eventIds) {
    super(reason);
    this.eventIds = List.copyOf(eventIds);
  }

  /** The ids of the refused events, in batch order. */
  public List<String> eventIds() {
    return eventIds;
  }
}
