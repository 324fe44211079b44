package dev.piste.core.internal.pipeline;

import dev.piste.PisteConfigurationException;
import dev.piste.PisteConfigurationException.Problem;
import dev.piste.annotation.RateLimit;
import dev.piste.core.internal.config.ValueType;
import dev.piste.ratelimit.Limit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The servlet adapter's operations, compiled once from path rules: public paths, required scopes
 * per method and path, operation limits and audit exclusions. Patterns are exact paths, or end with
 * {@code /*} to match the path and everything below it ({@code /v1/invoices/*} matches
 * {@code /v1/invoices} and {@code /v1/invoices/42}); a trailing slash, in a pattern as in a request
 * path, changes nothing. Within each list the first matching rule wins.
 * A path no rule makes public needs a credential.
 */
public final class PathRules {

  /**
   * One compiled pattern. Trailing slashes are dropped as from request paths ({@code /v1/orders/}
   * is {@code /v1/orders}, {@code /v1/orders//*} is {@code /v1/orders/*}): a pattern keeping them
   * would never match.
   */
  record Pattern(String text, String exact, String prefix) {
    static Pattern compile(String text) {
      return compile(text, true);
    }

    /**
     * A pattern of a public path or an audit exclusion: an exact one matches only the path as the
     * container dispatches it, not with a trailing slash, since {@code /v1/status/} may be served
     * by another servlet than {@code /v1/status} (one mapped at {@code /}); a rule that only adds
     * requirements may be lenient, a rule that waives them may not. An exact one written with a
     * trailing slash is refused ({@code /v1/status/*} covers both).
     */
    static Pattern asDispatched(String text) {
      return compile(text, false);
    }

    private static Pattern compile(String text, boolean lenient) {
      if (!text.startsWith("/")) {
        throw new IllegalArgumentException("pattern must start with /");
      }
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        // a path as the container gives it has none of these: a pattern holding one (two patterns
        // on one line, a query) would never match, silently
        if (c <= ' ' || c == ';' || c == '?' || c == '#' || c == '%' || c == 0x7F) {
          throw new IllegalArgumentException("no whitespace, ;, ?, # or % in a pattern");
        }
      }
      if (text.endsWith("/*")) {
        String prefix = withoutTrailingSlashes(text.substring(0, text.length() - 2), 0);
        if (prefix.contains("*")) {
          throw new IllegalArgumentException("* only at the end, as /*");
        }
        return new Pattern(prefix + "/*", null, prefix);
      }
      if (text.contains("*")) {
        throw new IllegalArgumentException("* only at the end, as /*");
      }
      if (!lenient && text.length() > 1 && text.endsWith("/")) {
        // it would no longer match the path without the slash, which it did before: say so
        throw new IllegalArgumentException("an exact public path or exclusion ending in /");
      }
      String exact = lenient ? withoutTrailingSlashes(text, 1) : text;
      return new Pattern(exact, exact, null);
    }

    boolean matches(String path) {
      if (exact != null) {
        return exact.equals(path);
      }
      return path.equals(prefix) || (path.startsWith(prefix) && path.length() > prefix.length()
          && path.charAt(prefix.length()) == '/') || prefix.isEmpty();
    }
  }

  record MethodRule<T>(Set<String> methods, Pattern pattern, T value) {
    /** The rule as written, its methods sorted: {@code GET,HEAD /v1/*}, {@code * /v1/*}. */
    String name() {
      return (methods.isEmpty() ? "*" : String.join(",", new TreeSet<>(methods))) + " "
          + pattern.text();
    }

    /** HEAD is GET without the body (RFC 9110 9.3.2; {@code HttpServlet} runs doGet): it follows GET. */
    boolean matches(String method, String path) {
      return (methods.isEmpty() || methods.contains(method)
          || (method.equals("HEAD") && methods.contains("GET"))) && pattern.matches(path);
    }
  }

  private final List<Pattern> publicPaths;
  private final List<MethodRule<Set<String>>> scopeRules;
  private final List<MethodRule<OperationLimit>> limitRules;
  private final List<Pattern> auditExcluded;

  private PathRules(List<Pattern> publicPaths, List<MethodRule<Set<String>>> scopeRules,
      List<MethodRule<OperationLimit>> limitRules, List<Pattern> auditExcluded) {
    this.publicPaths = publicPaths;
    this.scopeRules = scopeRules;
    this.limitRules = limitRules;
    this.auditExcluded = auditExcluded;
  }

  /**
   * Compiles the rules; every malformed rule is reported at once.
   *
   * @param publicPaths patterns callable without credential
   * @param scopeRules rules such as {@code GET /v1/invoices/* invoices:read}, separated by {@code ;}
   *     or new lines; the method may be {@code *} or a comma list ({@code GET,HEAD})
   * @param limitRules rules such as {@code POST /v1/invoices 5/s burst 10}, separated by new lines
   *     or {@code ;;} (a single {@code ;} separates the limits of one rule), each optionally
   *     followed by {@code per application|subject|client-ip}, {@code cost N} and {@code shared},
   *     as {@code @RateLimit} has them
   * @param auditExcluded patterns never audited
   */
  public static PathRules compile(List<String> publicPaths, String scopeRules, String limitRules,
      List<String> auditExcluded, String publicKey, String scopeKey, String limitKey,
      String auditKey) {
    List<Problem> problems = new ArrayList<>();
    List<Pattern> pub = patterns(publicPaths, publicKey, problems);
    List<MethodRule<Set<String>>> scopes = new ArrayList<>();
    for (String rule : split(scopeRules, "[;\\n]")) {
      String[] parts = rule.trim().split("\\s+");
      try {
        if (parts.length < 3) {
          throw new IllegalArgumentException("too short");
        }
        Set<String> s = new LinkedHashSet<>();
        for (int i = 2; i < parts.length; i++) {
          s.add(parts[i]);
        }
        scopes.add(new MethodRule<>(methods(parts[0]), Pattern.compile(parts[1]), Set.copyOf(s)));
      } catch (IllegalArgumentException e) {
        problems.add(new Problem(scopeKey, rule.trim(),
            "rules 'METHOD /path[/*] scope [scope...]' separated by ';' or new lines, "
                + "METHOD being * or a comma list such as GET,HEAD", null));
      }
    }
    List<MethodRule<OperationLimit>> limits = new ArrayList<>();
    for (String rule : split(limitRules, "(;;|\\n)")) {
      String[] parts = rule.trim().split("\\s+", 3);
      try {
        if (parts.length < 3) {
          throw new IllegalArgumentException("too short");
        }
        limits.add(new MethodRule<>(methods(parts[0]), Pattern.compile(parts[1]),
            operationLimit(parts[2])));
      } catch (CostAboveCapacity e) {
        problems.add(new Problem(limitKey, rule.trim(), "a cost of at most " + e.capacity
            + ", the smallest capacity of the rule's limits (a burst, or a quota's permits):"
            + " a call costing more is always refused", null));
      } catch (IllegalArgumentException e) {
        problems.add(new Problem(limitKey, rule.trim(),
            "rules 'METHOD /path[/*] limits [per application|subject|client-ip] [cost N] [shared]'"
                + " separated by ';;' or new lines, such as POST /v1/invoices 5/s burst 10 or"
                + " POST /v1/exports 100/day per client-ip cost 5 (" + ValueType.LIMIT_BOUNDS + ")",
            null));
      }
    }
    List<Pattern> audit = patterns(auditExcluded, auditKey, problems);
    if (!problems.isEmpty()) {
      throw new PisteConfigurationException(problems);
    }
    return new PathRules(pub, scopes, limits, audit);
  }

  /** What a bucket can count per, as in {@code @RateLimit(per = ...)}. */
  private static final Set<String> PER = Arrays.stream(RateLimit.Per.values())
      .map(OperationLimit::perName).collect(Collectors.toUnmodifiableSet());

  /**
   * The limits of one rule and its options: the limits up to the first {@code per}, {@code cost} or
   * {@code shared} word, then each option at most once, in any order.
   */
  static OperationLimit operationLimit(String text) {
    String t = text.strip();
    // a trailing ';' is accepted after the options as after the last limit
    String[] words = (t.endsWith(";") ? t.substring(0, t.length() - 1) : t).split("\\s+");
    int i = 0;
    while (i < words.length && !words[i].equals("per") && !words[i].equals("cost")
        && !words[i].equals("shared")) {
      i++;
    }
    List<Limit> limits = ValueType.parseLimits(String.join(" ", List.of(words).subList(0, i)));
    String per = null;
    long cost = 0;
    boolean shared = false;
    while (i < words.length) {
      String w = words[i++];
      if (w.equals("shared") && !shared) {
        shared = true;
      } else if (w.equals("per") && per == null && i < words.length && PER.contains(words[i])) {
        per = words[i++];
      } else if (w.equals("cost") && cost == 0 && i < words.length
          && words[i].matches("[1-9][0-9]{0,9}")) {
        cost = Long.parseLong(words[i++]);
      } else {
        throw new IllegalArgumentException("bad option");
      }
    }
    long capacity = OperationLimit.capacity(limits);
    if (cost > capacity) {
      throw new CostAboveCapacity(capacity);
    }
    return new OperationLimit(limits,
        per != null ? per : OperationLimit.perName(RateLimit.Per.APPLICATION), cost > 0 ? cost : 1,
        shared);
  }

  /** A rule whose cost is above the capacity of its limits. */
  private static final class CostAboveCapacity extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    final long capacity;

    CostAboveCapacity(long capacity) {
      super("cost above " + capacity);
      this.capacity = capacity;
    }
  }

  private static List<Pattern> patterns(List<String> texts, String key, List<Problem> problems) {
    List<Pattern> out = new ArrayList<>();
    for (String t : texts) {
      try {
        out.add(Pattern.asDispatched(t));
      } catch (IllegalArgumentException e) {
        problems.add(new Problem(key, t, "path patterns such as /v1/status or /docs/*, separated"
            + " by commas", null));
      }
    }
    return out;
  }

  private static List<String> split(String rules, String separator) {
    List<String> out = new ArrayList<>();
    if (rules == null) {
      return out;
    }
    for (String r : rules.split(separator)) {
      if (!r.isBlank()) {
        out.add(r);
      }
    }
    return out;
  }

  private static Set<String> methods(String m) {
    if (m.equals("*")) {
      return Set.of();
    }
    Set<String> out = new HashSet<>();
    for (String s : m.split(",")) {
      String u = s.trim().toUpperCase(Locale.ROOT);
      if (!u.matches("[A-Z]+")) {
        throw new IllegalArgumentException("bad method");
      }
      out.add(u);
    }
    return Set.copyOf(out);
  }

  /**
   * One compiled rule, read-only, for describing the API (the catalog's descriptor of a web.xml
   * application).
   *
   * @param kind {@code public}, {@code scopes} or {@code limits}
   * @param methods the methods, empty for any
   * @param pattern the path pattern as written ({@code /v1/invoices/*})
   * @param scopes the required scopes of a {@code scopes} rule
   * @param limits the limits of a {@code limits} rule
   */
  public record Rule(String kind, Set<String> methods, String pattern, Set<String> scopes,
      List<Limit> limits) {}

  /** The public paths, scope rules and limit rules, in that order and each in its written order. */
  public List<Rule> rules() {
    List<Rule> out = new ArrayList<>();
    for (Pattern p : publicPaths) {
      out.add(new Rule("public", Set.of(), p.text(), Set.of(), List.of()));
    }
    for (MethodRule<Set<String>> r : scopeRules) {
      out.add(new Rule("scopes", r.methods(), r.pattern().text(), r.value(), List.of()));
    }
    for (MethodRule<OperationLimit> r : limitRules) {
      out.add(new Rule("limits", r.methods(), r.pattern().text(), Set.of(), r.value().limits()));
    }
    return List.copyOf(out);
  }

  /**
   * The policy of a request; never {@code null}. A trailing slash does not change the operation
   * that scope and limit rules see ({@code /v1/invoices/} is {@code /v1/invoices}, as JAX-RS serves
   * it), but an exact public path or audit exclusion matches only the path as dispatched; HEAD
   * follows the rules of GET.
   */
  public OperationPolicy policyFor(String method, String dispatched) {
    // public paths and exclusions waive something: they see the path as dispatched
    int pub = firstPattern(publicPaths, dispatched);
    boolean audited = firstPattern(auditExcluded, dispatched) < 0;
    String path = withoutTrailingSlashes(dispatched, 1);
    int scope = firstRule(scopeRules, method, path);
    int limit = firstRule(limitRules, method, path);
    if (pub < 0 && scope < 0 && limit < 0) {
      // no rule names this operation: its id is the path itself
      return new OperationPolicy(method + " " + path, null, false, Set.of(), List.of(), audited);
    }
    Match match = new Match(method, pub, scope, limit, audited);
    OperationPolicy cached = policies.get(match);
    if (cached != null) {
      return cached;
    }
    OperationPolicy policy = build(match);
    if (policies.size() < MAX_CACHED) {
      policies.putIfAbsent(match, policy);
    }
    return policy;
  }

  /** The path without its trailing slashes, keeping at least {@code keep} characters. */
  private static String withoutTrailingSlashes(String path, int keep) {
    int end = path.length();
    while (end > keep && path.charAt(end - 1) == '/') {
      end--;
    }
    return end < path.length() ? path.substring(0, end) : path;
  }

  /** Which rules matched: everything the policy of a named operation depends on. */
  private record Match(String method, int pub, int scope, int limit, boolean audited) {}

  private static final int MAX_CACHED = 4096;
  private final ConcurrentHashMap<Match, OperationPolicy> policies = new ConcurrentHashMap<>();

  /**
   * The policy of the rules a request matched. The operation is named after the most specific of
   * their patterns (an exact path before a prefix, a longer prefix before a shorter one), so that
   * two limit rules under one broader scope rule are two operations. The bucket of a limit rule is
   * named after the rule itself, not the operation: every request it matches, whatever its method
   * or the scope rule it also matched, takes from one bucket per caller.
   */
  private OperationPolicy build(Match m) {
    Pattern named = null;
    if (m.pub() >= 0) {
      named = publicPaths.get(m.pub());
    }
    Set<String> scopes = Set.of();
    if (m.scope() >= 0) {
      MethodRule<Set<String>> r = scopeRules.get(m.scope());
      scopes = r.value();
      named = moreSpecific(named, r.pattern());
    }
    List<OperationLimit> limits = List.of();
    String bucket = null;
    if (m.limit() >= 0) {
      MethodRule<OperationLimit> r = limitRules.get(m.limit());
      limits = List.of(r.value());
      named = moreSpecific(named, r.pattern());
      bucket = r.name();
    }
    String template = named.text();
    return new OperationPolicy(m.method() + " " + template, template, m.pub() >= 0, scopes, limits,
        m.audited(), bucket);
  }

  private static Pattern moreSpecific(Pattern a, Pattern b) {
    if (a == null) {
      return b;
    }
    if ((a.exact() != null) != (b.exact() != null)) {
      return a.exact() != null ? a : b;
    }
    return b.text().length() > a.text().length() ? b : a;
  }

  private static int firstPattern(List<Pattern> patterns, String path) {
    for (int i = 0; i < patterns.size(); i++) {
      if (patterns.get(i).matches(path)) {
        return i;
      }
    }
    return -1;
  }

  private static int firstRule(List<? extends MethodRule<?>> rules, String method, String path) {
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i).matches(method, path)) {
        return i;
      }
    }
    return -1;
  }

}
