package dev.piste.core.internal.audit;

import dev.piste.audit.AuditSink;
import dev.piste.core.PisteConfig;
import dev.piste.core.audit.HttpCollectorSink;
import dev.piste.core.audit.JdbcAuditSink;
import dev.piste.core.audit.JsonLinesFileSink;
import dev.piste.core.audit.Slf4jAuditSink;
import dev.piste.core.internal.config.AuditKeys;
import dev.piste.core.internal.pipeline.AuditRecorder;
import java.util.ArrayList;
import java.util.List;

/** Builds the engine's audit recorder from the configuration and the builder's custom sinks. */
public final class AuditSinks {
  private AuditSinks() {}

  /**
   * The recorder of an engine. Sinks given to the builder are added to the sinks named by an
   * explicitly set {@code piste.audit.sinks}; when that key is not set, they replace its default
   * ({@code slf4j}). Custom sinks spool under {@code custom-1}, {@code custom-2}, ... in the order
   * they were given.
   */
  public static AuditRecorder recorder(PisteConfig config, String instanceId,
      List<AuditSink> custom) {
    if (!config.enabled() || !config.get(AuditKeys.ENABLED)) {
      return AuditRecorder.none();
    }
    List<AuditPipeline.NamedSink> sinks = new ArrayList<>();
    if (custom.isEmpty() || config.isSet(AuditKeys.SINKS)) {
      for (String s : config.get(AuditKeys.SINKS)) {
        sinks.add(new AuditPipeline.NamedSink(s, configured(config, s)));
      }
    }
    for (int i = 0; i < custom.size(); i++) {
      sinks.add(new AuditPipeline.NamedSink("custom-" + (i + 1), custom.get(i)));
    }
    return new AuditPipeline(config, instanceId, sinks);
  }

  private static AuditSink configured(PisteConfig config, String name) {
    switch (name) {
      case "slf4j":
        return new Slf4jAuditSink(config.get(AuditKeys.LOGGER));
      case "file":
        return new JsonLinesFileSink(config.get(AuditKeys.FILE_PATH),
            config.get(AuditKeys.FILE_MAX_SIZE), config.clock());
      case "http":
        return new HttpCollectorSink(config.get(AuditKeys.HTTP_URL), config.get(AuditKeys.HTTP_GZIP),
            config.get(AuditKeys.HTTP_TIMEOUT));
      case "jdbc":
        return new JdbcAuditSink(config.get(AuditKeys.JDBC_URL), config.get(AuditKeys.JDBC_USER),
            config.get(AuditKeys.JDBC_PASSWORD), config.get(AuditKeys.JDBC_TABLE));
      default:
        throw new IllegalArgumentException("unknown audit sink " + name);
    }
  }
}
