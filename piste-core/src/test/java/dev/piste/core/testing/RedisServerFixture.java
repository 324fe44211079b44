package dev.piste.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import redis.embedded.RedisServer;

/**
 * A real Redis on 127.0.0.1 from the embedded-redis binaries, on a free port, without persistence.
 * It can be stopped and started again on the same port (to kill the store in the middle of a test),
 * and can be made slow ({@code DEBUG SLEEP}).
 */
public final class RedisServerFixture implements AutoCloseable {

  private final int port;
  private RedisServer server;

  private RedisServerFixture(int port) {
    this.port = port;
  }

  /** Starts a Redis on a free loopback port. */
  public static RedisServerFixture start() {
    RedisServerFixture f = new RedisServerFixture(freePort());
    f.startAgain();
    return f;
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server again on the same port, empty. */
  public synchronized void startAgain() {
    try {
      server = RedisServer.newRedisServer()
          .port(port)
          .bind("127.0.0.1")
          .setting("save \"\"")
          .setting("appendonly no")
          .build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server (its data is lost). */
  public synchronized void stop() {
    if (server != null) {
      try {
        server.stop();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server = null;
    }
  }

  /** Makes the server answer nothing for this long ({@code DEBUG SLEEP}); returns at once. */
  public void sleep(double seconds) {
    String s = Double.toString(seconds);
    String cmd = "*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$" + s.length() + "\r\n" + s + "\r\n";
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      OutputStream out = socket.getOutputStream();
      out.write(cmd.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // wait until Redis has read the command, so that the sleep has begun when this returns
      socket.setSoTimeout(100);
      InputStream in = socket.getInputStream();
      try {
        in.read();
      } catch (java.net.SocketTimeoutException expected) {
        // sleeping
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stop();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
