package dev.piste.core.audit;

import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each event as one JSON line at INFO on an SLF4J logger ({@code piste.audit} by default).
 * Configure that logger's appender not to discard (Logback's {@code AsyncAppender} drops INFO events
 * once its queue is 80% full unless {@code discardingThreshold} is 0).
 */
public final class Slf4jAuditSink implements AuditSink {

  /** The default logger name. */
  public static final String LOGGER = "piste.audit";

  private final Logger logger;

  public Slf4jAuditSink() {
    this(LOGGER);
  }

  public Slf4jAuditSink(String loggerName) {
    this.logger = LoggerFactory.getLogger(Objects.requireNonNull(loggerName, "loggerName"));
    if (!logger.isInfoEnabled()) {
      LoggerFactory.getLogger(Slf4jAuditSink.class).warn(
          "audit logger {} has INFO disabled: the slf4j audit sink writes nothing", loggerName);
    }
  }

  @Override
  public void write(List<AuditEvent> batch) {
    for (AuditEvent e : batch) {
      logger.info(e.toJson());
    }
  }
}
