package dev.piste.core.token;

import dev.piste.AuthenticationMethod;
import dev.piste.Caller;
import dev.piste.core.internal.token.Scopes;
import dev.piste.core.internal.token.Sha256;
import dev.piste.token.ApiKeyStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The default {@link ApiKeyStore}: a UTF-8 file ({@code piste.token.api-key-file}) holding only the
 * SHA-256 of each key, never a key. One key per line; blank lines and lines starting with {@code #}
 * are ignored; fields are separated by spaces or tabs:
 *
 * <pre>
 * # sha256:&lt;64 lower-case hex digits&gt;  &lt;application id&gt;  [plan=&lt;plan&gt;]  [scopes=&lt;scope&gt;,&lt;scope&gt;...]
 * sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8  billing  plan=gold  scopes=invoices:read
 * </pre>
 *
 * <p>A presented key is hashed, its digest looked up, and the stored digest compared with {@link
 * MessageDigest#isEqual} (constant time): timing reveals nothing about a stored key, since an
 * attacker controls the key but not its hash. A malformed file fails at start-up naming the line,
 * never its content. Generate a key and its line with {@code java -cp piste-core.jar
 * dev.piste.core.token.FileApiKeyStore <application id> [plan] [scopes]}.
 *
 * <p>An instance is a fixed snapshot of the file ({@link #read}): immutable, thread-safe. The
 * engine's store for {@code piste.token.api-key-file} is {@link #follow}, which reads the file
 * again when it changes, so that a key removed from the file stops working without a restart.
 */
public final class FileApiKeyStore implements ApiKeyStore {

  private static final Pattern HASH = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Pattern APPLICATION = Pattern.compile("[A-Za-z0-9._:@/-]{1,200}");

  private record Entry(byte[] digest, Caller caller) {}

  private final Map<String, Entry> byHash;

  private FileApiKeyStore(Map<String, Entry> byHash) {
    this.byHash = Map.copyOf(byHash);
  }

  /**
   * Reads the file once, a snapshot that never changes; a malformed line throws {@link
   * IllegalArgumentException} naming its number.
   */
  public static FileApiKeyStore read(Path file) throws IOException {
    return parse(Files.readAllLines(file), file.toString());
  }

  /**
   * A store that follows the file: read now as {@link #read} does (a missing or malformed file
   * throws), then read again when it changes. At most once a second, one lookup looks at the
   * file's last-modified time, size and file key (one {@code stat}), and reads the file when they
   * changed; the other lookups meanwhile answer from the keys already read, and a lookup when no
   * check is due reads only the clock. A key removed from the file is refused from the check that
   * follows the change on; a key added is found. A file that becomes malformed, unreadable or
   * missing keeps the keys last read, with one warning naming the file and the line numbers (never
   * a line's content), until it is valid again. Replace the file by renaming a complete new one
   * over it: a lookup may otherwise read it half written (an empty file is valid and holds no
   * key). Thread-safe; it starts no thread and holds nothing to close.
   *
   * @param clock the clock of the checks, usually {@link Clock#systemUTC()}
   */
  public static ApiKeyStore follow(Path file, Clock clock) throws IOException {
    return new FollowingApiKeyStore(file, clock);
  }

  static FileApiKeyStore parse(List<String> lines, String origin) {
    Map<String, Entry> map = new HashMap<>();
    List<String> problems = new ArrayList<>();
    int n = 0;
    for (String raw : lines) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("[ \\t]+");
      if (f.length < 2 || !HASH.matcher(f[0]).matches() || !APPLICATION.matcher(f[1]).matches()) {
        problems.add("line " + n + ": expected sha256:<64 lower-case hex> <application id>"
            + " [plan=<plan>] [scopes=<a>,<b>]");
        continue;
      }
      String plan = null;
      Set<String> scopes = new LinkedHashSet<>();
      boolean ok = true;
      for (int i = 2; i < f.length; i++) {
        if (f[i].startsWith("plan=") && plan == null && f[i].length() > 5) {
          plan = f[i].substring(5);
        } else if (f[i].startsWith("scopes=") && scopes.isEmpty() && f[i].length() > 7) {
          Set<String> s = Scopes.parse(List.of(f[i].substring(7).split(",", -1)));
          if (s == null) {
            ok = false;
          } else {
            scopes.addAll(s);
          }
        } else {
          ok = false;
        }
      }
      if (!ok) {
        problems.add("line " + n + ": unknown, repeated or malformed field (expected plan=<plan>"
            + " and scopes=<a>,<b>)");
        continue;
      }
      String hex = f[0].substring("sha256:".length());
      Caller caller = Caller.builder().applicationId(f[1]).scopes(scopes).plan(plan)
          .method(AuthenticationMethod.API_KEY).build();
      if (map.put(hex, new Entry(HexFormat.of().parseHex(hex), caller)) != null) {
        problems.add("line " + n + ": the same key hash appears twice");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("API key file " + origin + ": " + String.join("; ", problems));
    }
    return new FileApiKeyStore(map);
  }

  @Override
  public Optional<Caller> find(String apiKey) {
    if (apiKey == null || apiKey.isEmpty()) {
      return Optional.empty();
    }
    byte[] digest = Sha256.digest(apiKey);
    Entry e = byHash.get(HexFormat.of().formatHex(digest));
    return e != null && MessageDigest.isEqual(e.digest, digest)
        ? Optional.of(e.caller) : Optional.empty();
  }

  /** The number of keys in the store. */
  public int size() {
    return byHash.size();
  }

  /** The file line of a key: {@code sha256:<hex> <application> [plan=..] [scopes=..]}. */
  public static String line(String apiKey, String applicationId, String plan, Set<String> scopes) {
    StringBuilder sb = new StringBuilder("sha256:")
        .append(HexFormat.of().formatHex(Sha256.digest(apiKey))).append(' ').append(applicationId);
    if (plan != null) {
      sb.append(" plan=").append(plan);
    }
    if (!scopes.isEmpty()) {
      sb.append(" scopes=").append(String.join(",", scopes));
    }
    return sb.toString();
  }

  /**
   * Prints a new random key (256 bits, base64url) and its file line:
   * {@code FileApiKeyStore <application id> [plan] [scope,scope]}.
   */
  public static void main(String[] args) {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: FileApiKeyStore <application id> [plan] [scope,scope...]");
      System.exit(2);
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    String plan = args.length > 1 && !args[1].isEmpty() ? args[1] : null;
    Set<String> scopes = args.length > 2 ? new LinkedHashSet<>(List.of(args[2].split(",")))
        : Set.of();
    System.out.println("key (give it to the application, store it nowhere else): " + key);
    System.out.println("line for the API key file: " + line(key, args[0], plan, scopes));
  }

  /** Names the store by size only. */
  @Override
  public String toString() {
    return "FileApiKeyStore[" + byHash.size() + " keys]";
  }
}
