package dev.piste.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import java.util.ArrayList;
import java.util.List;

/** An {@link AuditSink} that keeps every event written to it; can be made to fail. */
public final class MemoryAuditSink implements AuditSink {

  private final List<AuditEvent> events = new ArrayList<>();
  private volatile boolean failing;

  @Override
  public synchronized void write(List<AuditEvent> batch) throws Exception {
    if (failing) {
      throw new IllegalStateException("sink down");
    }
    events.addAll(batch);
  }

  /** While {@code true}, every write fails as a sink that is down would. */
  public void failing(boolean failing) {
    this.failing = failing;
  }

  public synchronized List<AuditEvent> events() {
    return List.copyOf(events);
  }

  public synchronized int size() {
    return events.size();
  }

  /** The events whose request id is {@code id}. */
  public synchronized List<AuditEvent> withRequestId(String id) {
    return events.stream().filter(e -> id.equals(e.requestId())).toList();
  }

  /** The one event of this request id; fails when there is none or more than one. */
  public AuditEvent one(String requestId) {
    List<AuditEvent> e = withRequestId(requestId);
    assertThat(e).as("events of request %s", requestId).hasSize(1);
    return e.get(0);
  }
}
