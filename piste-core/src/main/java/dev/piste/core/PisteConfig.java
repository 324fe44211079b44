package dev.piste.core;

import dev.piste.PisteConfigurationException;
import dev.piste.PisteConfigurationException.Problem;
import dev.piste.core.internal.config.ConfigValidation;
import dev.piste.core.internal.config.Key;
import dev.piste.core.internal.config.Keys;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The immutable configuration of one {@link Piste} engine: every {@code piste.*} key, parsed and
 * validated once at start-up.
 *
 * <p>Values come from layered sources. From the highest precedence to the lowest: explicit builder
 * calls, system properties, environment variables ({@code PISTE_TOKEN_JWKS_URI} for
 * {@code piste.token.jwks-uri}), filter init-params, context-params, {@code piste.properties} on the
 * class path, defaults. {@link #builder()} reads the system properties, the environment and
 * {@code piste.properties}; {@link #defaults()} reads nothing.
 *
 * <p>{@link Builder#build()} reports every problem at once in one {@link
 * PisteConfigurationException}; an unknown {@code piste.*} key is a warning naming the nearest known
 * key. {@link #toString()} masks secrets.
 */
public final class PisteConfig {

  private static final Logger LOG = LoggerFactory.getLogger(PisteConfig.class);
  private static final String MASK = "****";
  /** The password of a URI's user info ({@code redis://user:secret@host}). */
  private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(://[^/?#@:]*:)[^/?#@]*@");
  /** A password parameter of a JDBC URL ({@code ?password=secret}, {@code ;password=secret}). */
  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)([?&;](?:password|pwd|sslpassword)=)[^&;]*");

  /** A value as it may be printed: a secret key's masked, a password inside a URI masked. */
  private static String printable(Key<?> k, String raw) {
    if (k != null && k.isSecret()) {
      return MASK;
    }
    if (raw == null || raw.indexOf(':') < 0) {
      return raw;
    }
    String masked = USER_INFO_PASSWORD.matcher(raw).replaceAll("$1" + MASK + "@");
    return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + MASK);
  }

  private final Map<String, Object> values;
  private final Map<String, Source> sources;
  private final List<String> warnings;
  private final Clock clock;
  private final Builder origin;

  private PisteConfig(Map<String, Object> values, Map<String, Source> sources,
      List<String> warnings, Clock clock, Builder origin) {
    this.values = values;
    this.sources = sources;
    this.warnings = warnings;
    this.clock = clock;
    this.origin = origin;
  }

  /** The defaults alone, with no source read. */
  public static PisteConfig defaults() {
    return new Builder(false).build();
  }

  /**
   * A builder that starts from the system properties, the environment and {@code piste.properties}
   * on the class path; its own calls override them.
   */
  public static Builder builder() {
    return new Builder(true);
  }

  /** A configuration from these values alone (over the defaults), for tests and embedding. */
  public static PisteConfig of(Map<String, String> properties) {
    Builder b = new Builder(false);
    properties.forEach(b::property);
    return b.build();
  }

  /** A builder holding the same sources and explicit values as this configuration. */
  public Builder toBuilder() {
    return origin.copy();
  }

  /**
   * The value of a key, or {@code null} when it has neither value nor default. The keys live in
   * {@code dev.piste.core.internal.config}, which has no compatibility promise.
   */
  @SuppressWarnings("unchecked")
  public <T> T get(Key<T> key) {
    if (key.isPrefix()) {
      throw new IllegalArgumentException(key + " is a prefix: use values(key)");
    }
    return (T) values.get(key.name());
  }

  /** The members of a key family by their suffix: for {@code piste.ratelimit.plans.}, plan name to limits. */
  @SuppressWarnings("unchecked")
  public <T> Map<String, T> values(Key<T> prefix) {
    Map<String, T> out = new TreeMap<>();
    values.forEach((name, v) -> {
      if (name.startsWith(prefix.name()) && name.length() > prefix.name().length()) {
        out.put(name.substring(prefix.name().length()), (T) v);
      }
    });
    return Collections.unmodifiableMap(out);
  }

  /** Whether a key was set by a source (rather than left to its default). */
  public boolean isSet(Key<?> key) {
    return sources.containsKey(key.name());
  }

  /** Whether enforcement is on ({@code piste.enabled}). */
  public boolean enabled() {
    return Boolean.TRUE.equals(values.get("piste.enabled"));
  }

  /** The clock every time-dependent part uses. */
  public Clock clock() {
    return clock;
  }

  /** The start-up warnings (unknown keys), each already logged once. */
  public List<String> warnings() {
    return warnings;
  }

  /** The keys that were set, with their source; secrets masked. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("PisteConfig{");
    boolean first = true;
    for (Map.Entry<String, Source> e : new TreeMap<>(sources).entrySet()) {
      Key<?> k = Keys.find(e.getKey());
      if (!first) {
        sb.append(", ");
      }
      first = false;
      sb.append(e.getKey()).append('=')
          .append(printable(k, e.getValue().raw));
    }
    return sb.append('}').toString();
  }

  private record Source(String raw, String origin) {}

  /**
   * Builds a {@link PisteConfig}. Methods are named after their key; a key set twice by this builder
   * is an error, not "last wins".
   */
  public static final class Builder {
    private final boolean readEnvironment;
    private final Map<String, String> contextParams = new LinkedHashMap<>();
    private final Map<String, String> initParams = new LinkedHashMap<>();
    private final Map<String, String> explicitRaw = new LinkedHashMap<>();
    /** The warnings this builder, or the one it was copied from, has logged already. */
    private final Set<String> logged = new HashSet<>();
    private final Map<String, Object> explicitTyped = new LinkedHashMap<>();
    private Map<String, String> environment;
    private Map<String, String> systemProperties;
    private Map<String, String> classpath;
    private Clock clock;

    private Builder(boolean readEnvironment) {
      this.readEnvironment = readEnvironment;
    }

    private Builder copy() {
      Builder b = new Builder(readEnvironment);
      b.contextParams.putAll(contextParams);
      b.initParams.putAll(initParams);
      b.explicitRaw.putAll(explicitRaw);
      b.explicitTyped.putAll(explicitTyped);
      b.environment = environment;
      b.systemProperties = systemProperties;
      b.classpath = classpath;
      b.clock = clock;
      b.logged.addAll(logged);
      return b;
    }

    /** Servlet context-params (below init-params in precedence); non-{@code piste.*} names are ignored. */
    public Builder contextParameters(Map<String, String> params) {
      contextParams.putAll(params);
      return this;
    }

    /** Filter init-params (above context-params); non-{@code piste.*} names are ignored. */
    public Builder initParameters(Map<String, String> params) {
      initParams.putAll(params);
      return this;
    }

    /** Replaces the environment variables read (tests); by default {@code System.getenv()}. */
    public Builder environment(Map<String, String> env) {
      this.environment = Map.copyOf(env);
      return this;
    }

    /** Replaces the system properties read (tests); by default {@code System.getProperties()}. */
    public Builder systemProperties(Map<String, String> props) {
      this.systemProperties = Map.copyOf(props);
      return this;
    }

    /** Replaces the content of {@code piste.properties} (tests); by default read from the class path. */
    public Builder classpathProperties(Map<String, String> props) {
      this.classpath = Map.copyOf(props);
      return this;
    }

    /** Sets any key from its string form, parsed and validated by {@link #build()}. */
    public Builder property(String key, String value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      requireUnset(key);
      explicitRaw.put(key, value);
      return this;
    }

    /** Sets a key to an already typed value. */
    public <T> Builder set(Key<T> key, T value) {
      Objects.requireNonNull(value, "value");
      requireUnset(key.name());
      explicitTyped.put(key.name(), value);
      return this;
    }

    private void requireUnset(String key) {
      Object previous = explicitRaw.containsKey(key) ? explicitRaw.get(key) : explicitTyped.get(key);
      if (previous != null) {
        Key<?> k = Keys.find(key);
        throw new IllegalStateException(key + " was already set to "
            + printable(k, String.valueOf(previous)));
      }
    }

    /** {@code piste.enabled}: false turns every filter and feature into a pass-through. */
    public Builder enabled(boolean enabled) {
      return set(dev.piste.core.internal.config.CoreKeys.ENABLED, enabled);
    }

    /** {@code piste.token.jwks-uri}. */
    public Builder jwksUri(java.net.URI uri) {
      return set(dev.piste.core.internal.config.TokenKeys.JWKS_URI, uri);
    }

    /** {@code piste.token.issuer}. */
    public Builder issuer(String... issuers) {
      return set(dev.piste.core.internal.config.TokenKeys.ISSUER, List.of(issuers));
    }

    /** {@code piste.token.audience}. */
    public Builder audience(String... audiences) {
      return set(dev.piste.core.internal.config.TokenKeys.AUDIENCE, List.of(audiences));
    }

    /** {@code piste.token.clock-skew}. */
    public Builder clockSkew(java.time.Duration skew) {
      return set(dev.piste.core.internal.config.TokenKeys.CLOCK_SKEW, skew);
    }

    /** The clock of every time-dependent part (token lifetimes, quotas, heartbeats); default UTC system clock. */
    public Builder clock(Clock clock) {
      if (this.clock != null) {
        throw new IllegalStateException("clock was already set to " + this.clock);
      }
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Parses and validates every value; throws one exception listing every problem. */
    public PisteConfig build() {
      Map<String, Source> merged = new HashMap<>();
      List<String> warnings = new ArrayList<>();
      layer(merged, classpath != null ? classpath : readEnvironment ? classpathFile() : Map.of(),
          "piste.properties");
      layer(merged, contextParams, "context-param");
      layer(merged, initParams, "init-param");
      layer(merged, environmentKeys(warnings), "environment");
      layer(merged, systemProperties != null ? systemProperties
          : readEnvironment ? systemPropertyMap() : Map.of(), "system property");
      layer(merged, explicitRaw, "builder");

      List<Problem> problems = new ArrayList<>();
      Map<String, Object> values = new HashMap<>();
      for (Key<?> k : Keys.all()) {
        if (!k.isPrefix() && k.defaultValue() != null) {
          values.put(k.name(), k.type().parse(k.defaultValue()));
        }
      }
      for (Map.Entry<String, Source> e : new TreeMap<>(merged).entrySet()) {
        String name = e.getKey();
        Key<?> k = Keys.find(name);
        if (k == null) {
          String near = Keys.nearest(name);
          String w = "unknown key " + name + (near != null ? " (did you mean " + near + "?)" : "")
              + " from " + e.getValue().origin;
          warnings.add(w);
          continue;
        }
        try {
          values.put(name, k.type().parse(e.getValue().raw));
        } catch (RuntimeException ex) {
          problems.add(new Problem(name, printable(k, e.getValue().raw),
              k.type().expected() + " (from " + e.getValue().origin + ")", null));
        }
      }
      for (Map.Entry<String, Object> e : explicitTyped.entrySet()) {
        values.put(e.getKey(), e.getValue());
        merged.put(e.getKey(), new Source(String.valueOf(e.getValue()), "builder"));
      }
      // before the problems: a misspelt key is often why another is missing; and once per
      // builder chain, so a configuration rebuilt with toBuilder() does not repeat them
      for (String w : warnings) {
        if (logged.add(w)) {
          LOG.warn(w);
        }
      }
      ConfigValidation.check(values, problems);
      if (!problems.isEmpty()) {
        throw new PisteConfigurationException(problems);
      }
      return new PisteConfig(Collections.unmodifiableMap(values), Collections.unmodifiableMap(merged),
          List.copyOf(warnings), clock != null ? clock : Clock.systemUTC(), copy());
    }

    private static void layer(Map<String, Source> merged, Map<String, String> layer, String origin) {
      layer.forEach((k, v) -> {
        if (k.startsWith("piste.") && v != null) {
          merged.put(k, new Source(v, origin));
        }
      });
    }

    private Map<String, String> environmentKeys(List<String> warnings) {
      Map<String, String> env = environment != null ? environment
          : readEnvironment ? System.getenv() : Map.of();
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : env.entrySet()) {
        String var = e.getKey();
        if (!var.startsWith("PISTE_")) {
          continue;
        }
        String key = keyOfEnvironmentVariable(var);
        if (key == null) {
          String near = Keys.nearest(var.toLowerCase(java.util.Locale.ROOT).replace('_', '.'));
          warnings.add("unknown environment variable " + var
              + (near != null ? " (did you mean " + Key.environmentName(near) + "?)" : ""));
          continue;
        }
        out.put(key, e.getValue());
      }
      return out;
    }

    private static String keyOfEnvironmentVariable(String var) {
      for (Key<?> k : Keys.all()) {
        String envName = k.environmentName();
        if (!k.isPrefix() && envName.equals(var)) {
          return k.name();
        }
        if (k.isPrefix() && var.startsWith(envName) && var.length() > envName.length()) {
          return k.name() + var.substring(envName.length()).toLowerCase(java.util.Locale.ROOT);
        }
      }
      return null;
    }

    private static Map<String, String> systemPropertyMap() {
      Map<String, String> out = new HashMap<>();
      Properties p = System.getProperties();
      for (String name : p.stringPropertyNames()) {
        if (name.startsWith("piste.")) {
          out.put(name, p.getProperty(name));
        }
      }
      return out;
    }

    private static Map<String, String> classpathFile() {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      if (cl == null) {
        cl = PisteConfig.class.getClassLoader();
      }
      try (InputStream in = cl.getResourceAsStream("piste.properties")) {
        if (in == null) {
          return Map.of();
        }
        Properties p = new Properties();
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
          p.load(r);
        }
        Map<String, String> out = new HashMap<>();
        for (String name : p.stringPropertyNames()) {
          out.put(name, p.getProperty(name));
        }
        return out;
      } catch (IOException e) {
        throw new PisteConfigurationException(List.of(new Problem("piste.properties", null,
            "a readable properties file on the class path", null)));
      }
    }
  }
}
