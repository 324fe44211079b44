package dev.piste.audit;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where audit events go. The audit pipeline calls {@link #write} from its own background thread
 * with batches in arrival order; a sink that throws has failed the whole batch, which is then kept
 * in the durable spool and written again later (at least once: de-duplicate on {@link
 * AuditEvent#eventId()}). A sink must return only once the batch is safely handed over. A sink
 * whose destination refused some events for good, and took the rest, throws {@link
 * RejectedEventsException}: those are counted lost and the batch is not written again.
 */
@FunctionalInterface
public interface AuditSink {

  /** Writes a batch of events, or throws when any of them could not be written. */
  void write(List<AuditEvent> batch) throws Exception;

  /** Releases the sink's resources; called once, after the last {@link #write}. */
  default void close() throws Exception {}

  /** One JSON line per event on the JDK platform logger {@code piste.audit}, at INFO. */
  static AuditSink logging() {
    System.Logger log = System.getLogger("piste.audit");
    return batch -> batch.forEach(e -> log.log(System.Logger.Level.INFO, e.toJson()));
  }

  /** Discards every event. */
  static AuditSink none() {
    return batch -> {};
  }

  /**
   * Writes each batch to every sink, in order. Every sink is tried; if any failed, the first
   * failure is thrown (the others suppressed) and the batch is written again to all of them later.
   * When the sinks only refused events for good, one {@link RejectedEventsException} names every
   * event some sink refused.
   */
  static AuditSink all(AuditSink... sinks) {
    List<AuditSink> all = List.of(sinks);
    return new AuditSink() {
      @Override
      public void write(List<AuditEvent> batch) throws Exception {
        Exception failure = null;
        RejectedEventsException rejected = null;
        Set<String> refused = new LinkedHashSet<>();
        for (AuditSink s : all) {
          try {
            s.write(batch);
          } catch (RejectedEventsException e) {
            refused.addAll(e.eventIds());
            if (rejected == null) {
              rejected = e;
            }
          } catch (Exception e) {
            if (failure == null) {
              failure = e;
            } else {
              failure.addSuppressed(e);
            }
          }
        }
        if (failure != null) {
          // the batch is written again to every sink: the refusals do not count
          throw failure;
        }
        if (rejected != null) {
          throw new RejectedEventsException(rejected.getMessage(), List.copyOf(refused));
        }
      }

      @Override
      public void close() throws Exception {
        for (AuditSink s : all) {
          s.close();
        }
      }
    };
  }
}
