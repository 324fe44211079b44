package dev.piste.ratelimit;

import dev.piste.Caller;
import dev.piste.PisteRequest;
import java.util.Map;
import java.util.Objects;

/**
 * Chooses the name of the plan of an authenticated caller. Returns {@code null} when it has no
 * opinion: the engine then tries the caller's own plan ({@link Caller#plan()}), the plan claim, and
 * finally the default plan. The per-application overrides of the configuration
 * ({@code piste.ratelimit.applications.<client id>}) win over any resolver. A name that no plan
 * defines falls back to the default plan (logged once).
 */
@FunctionalInterface
public interface PlanResolver {

  /** The plan name of this caller, or {@code null}. Called once per request: keep it cheap. */
  String plan(Caller caller, PisteRequest request);

  /** No opinion on any caller. */
  static PlanResolver none() {
    return (caller, request) -> null;
  }

  /** The plan named by a string claim of the credential ({@code plan} by default in configuration). */
  static PlanResolver fromClaim(String claim) {
    Objects.requireNonNull(claim, "claim");
    return (caller, request) -> caller.claims().get(claim) instanceof String s && !s.isEmpty()
        ? s : null;
  }

  /** A fixed map from application id (client id) to plan name. */
  static PlanResolver byApplication(Map<String, String> plans) {
    Map<String, String> copy = Map.copyOf(plans);
    return (caller, request) -> caller.applicationId() == null ? null
        : copy.get(caller.applicationId());
  }

  /** This resolver's answer, or the other's when this one has none. */
  default PlanResolver orElse(PlanResolver other) {
    Objects.requireNonNull(other, "other");
    return (caller, request) -> {
      String p = plan(caller, request);
      return p != null ? p : other.plan(caller, request);
    };
  }
}
