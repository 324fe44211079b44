package dev.piste.core.audit;

import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Inserts each batch into a PostgreSQL table in one transaction ({@code INSERT ... ON CONFLICT DO
 * NOTHING}, so a re-delivered event is stored once by the table's primary key: {@code event_id},
 * or {@code (event_id, ts)} in a table partitioned by {@code ts}). Create the table first with
 * {@link #ddl(String)} or the README's partitioned layout; the sink does not create it. The
 * connection is opened on first use and re-opened after a failure. The PostgreSQL driver ({@code
 * org.postgresql:postgresql}) is an optional dependency: add it to the application.
 */
public final class JdbcAuditSink implements AuditSink {

  private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

  private final String url;
  private final String user;
  private final String password;
  private final String insert;
  private volatile Connection connection;

  public JdbcAuditSink(String url, String user, String password, String table) {
    this.url = Objects.requireNonNull(url, "url");
    this.user = user;
    this.password = password;
    if (!validTable(table)) {
      throw new IllegalArgumentException("table must be an SQL identifier, optionally schema-qualified");
    }
    this.insert = "INSERT INTO " + table + " (event_id, ts, request_id, trace_id, application_id,"
        + " subject, operation_id, method, path, status, outcome, reason, client_ip,"
        + " duration_micros, instance_id, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        // no conflict target: a table partitioned by ts has its key on (event_id, ts), which
        // ON CONFLICT (event_id) would not match; a re-delivered event has the same ts
        + " ?, ?::jsonb) ON CONFLICT DO NOTHING";
  }

  /** Whether a table name is accepted: an SQL identifier, optionally schema-qualified. */
  public static boolean validTable(String table) {
    return table != null && TABLE.matcher(table).matches();
  }

  /** The PostgreSQL DDL of the table (and its indexes). */
  public static String ddl(String table) {
    if (!validTable(table)) {
      throw new IllegalArgumentException("table must be an SQL identifier, optionally schema-qualified");
    }
    String index = table.replace('.', '_');
    return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
        + "  event_id        uuid        PRIMARY KEY,\n"
        + "  ts              timestamptz NOT NULL,\n"
        + "  request_id      text,\n"
        + "  trace_id        text,\n"
        + "  application_id  text,\n"
        + "  subject         text,\n"
        + "  operation_id    text,\n"
        + "  method          text,\n"
        + "  path            text,\n"
        + "  status          smallint    NOT NULL,\n"
        + "  outcome         text        NOT NULL,\n"
        + "  reason          text,\n"
        + "  client_ip       text,\n"
        + "  duration_micros bigint,\n"
        + "  instance_id     text,\n"
        + "  event           jsonb       NOT NULL\n"
        + ");\n"
        + "CREATE INDEX IF NOT EXISTS " + index + "_ts ON " + table + " (ts);\n"
        + "CREATE INDEX IF NOT EXISTS " + index + "_app_ts ON " + table + " (application_id, ts);\n";
  }

  /**
   * PostgreSQL's {@code text} refuses the NUL character: it becomes U+FFFD, so that one request
   * carrying it (a query value, a token claim) cannot stop the sink.
   */
  static String text(String s) {
    return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
  }

  /**
   * PostgreSQL's {@code jsonb} refuses the JSON escape of U+0000: it becomes the escape of U+FFFD.
   * Other escapes (an escaped backslash followed by {@code u0000} included) are kept as they are.
   */
  static String jsonb(String json) {
    if (!json.contains("\\u0000")) {
      return json;
    }
    StringBuilder sb = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c == '\\' && i + 1 < json.length()) {
        if (json.startsWith("u0000", i + 1)) {
          sb.append("\\uFFFD");
          i += 5;
        } else {
          sb.append(c).append(json.charAt(i + 1));
          i++;
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  @Override
  public synchronized void write(List<AuditEvent> batch) throws SQLException {
    try {
      Connection connection = this.connection;
      if (connection == null) {
        Properties props = new Properties();
        if (user != null) {
          props.setProperty("user", user);
        }
        if (password != null) {
          props.setProperty("password", password);
        }
        // PostgreSQL driver defaults, overridden by the same parameters in the URL
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        connection = DriverManager.getConnection(url, props);
        connection.setAutoCommit(false);
        this.connection = connection;
      }
      try (PreparedStatement ps = connection.prepareStatement(insert)) {
        for (AuditEvent e : batch) {
          ps.setObject(1, java.util.UUID.fromString(e.eventId()));
          ps.setTimestamp(2, Timestamp.from(e.timestamp()));
          ps.setString(3, text(e.requestId()));
          ps.setString(4, text(e.traceId()));
          ps.setString(5, text(e.applicationId()));
          ps.setString(6, text(e.subject()));
          ps.setString(7, text(e.operationId()));
          ps.setString(8, text(e.method()));
          ps.setString(9, text(e.path()));
          ps.setInt(10, e.status());
          ps.setString(11, text(e.outcome()));
          ps.setString(12, text(e.reason()));
          ps.setString(13, text(e.clientIp()));
          ps.setLong(14, e.durationMicros());
          ps.setString(15, text(e.instanceId()));
          ps.setString(16, jsonb(e.toJson()));
          ps.addBatch();
        }
        ps.executeBatch();
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      closeConnection();
      throw e;
    }
  }

  private void closeConnection() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // already broken
      }
    }
  }

  /** Closes the connection, even while a write hangs on it (the write then fails). */
  @Override
  public void close() {
    closeConnection();
  }
}
