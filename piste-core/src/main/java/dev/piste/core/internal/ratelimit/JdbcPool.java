package dev.piste.core.internal.ratelimit;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The smallest connection pool the PostgreSQL store needs: up to {@code size} idle connections kept
 * for reuse; a connection that threw a connection-class error ({@code 08xxx}) is discarded. Short
 * connect and socket timeouts keep a dead database from holding store threads for long.
 *
 * <p>Every connection handed out is in auto-commit mode with no transaction open. Bucket4j turns
 * auto-commit off for its transaction and leaves it so: a connection given back in that state is
 * rolled back and put back into auto-commit, so that the next borrower (the cleanup's
 * {@code DELETE}) neither runs inside a transaction nobody commits nor inherits one; a connection
 * that cannot be reset is discarded.
 */
final class JdbcPool implements DataSource, AutoCloseable {

  private final String url;
  private final Properties properties = new Properties();
  private final ArrayBlockingQueue<Connection> idle;
  private volatile boolean closed;

  JdbcPool(String url, String user, String password, int size) {
    this.url = url;
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("connectTimeout", "2");
    properties.setProperty("socketTimeout", "10");
    properties.setProperty("tcpKeepAlive", "true");
    this.idle = new ArrayBlockingQueue<>(size);
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection physical = idle.poll();
    if (physical == null) {
      physical = DriverManager.getConnection(url, properties);
    }
    Connection target = physical;
    boolean[] broken = new boolean[1];
    boolean[] released = new boolean[1];
    return (Connection) Proxy.newProxyInstance(JdbcPool.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          if (method.getName().equals("close") && method.getParameterCount() == 0) {
            // a second close must not put the connection in the idle queue twice
            if (!released[0]) {
              released[0] = true;
              release(target, broken[0]);
            }
            return null;
          }
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s && (s.getSQLState() == null
                || s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P"))) {
              broken[0] = true;
            }
            throw cause;
          }
        });
  }

  private void release(Connection c, boolean broken) throws SQLException {
    if (!broken && !closed && reset(c) && idle.offer(c)) {
      return;
    }
    c.close();
  }

  /** Rolls back what the borrower left open and restores auto-commit; false if it cannot. */
  private static boolean reset(Connection c) {
    try {
      if (c.isClosed()) {
        return false;
      }
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public void close() {
    closed = true;
    Connection c;
    while ((c = idle.poll()) != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 2;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
