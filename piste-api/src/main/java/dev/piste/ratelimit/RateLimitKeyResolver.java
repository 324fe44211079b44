package dev.piste.ratelimit;

import dev.piste.Caller;
import dev.piste.PisteRequest;

/**
 * Chooses what an operation limit counts per: the key of the bucket, combined by the engine with
 * the operation (or the API, for a shared limit) and the limit itself. Returning {@code null} means
 * "no key": the engine then counts per client IP, so a limit is never skipped.
 */
@FunctionalInterface
public interface RateLimitKeyResolver {

  /**
   * The key of this request.
   *
   * @param caller the authenticated caller, or {@link Caller#anonymous()} on a public operation
   * @param request the request
   * @param clientIp the client IP, forwarding headers believed only from trusted proxies; an IPv6
   *     client's as its /64 network ({@code 2001:db8:0:7::/64}), which a client holding it could
   *     otherwise rotate through
   */
  String key(Caller caller, PisteRequest request, String clientIp);

  /** Per application (client id); falls back to the client IP for anonymous callers. */
  static RateLimitKeyResolver byApplication() {
    return (caller, request, clientIp) -> caller.applicationId() != null
        ? "app:" + caller.applicationId() : "ip:" + clientIp;
  }

  /** Per end user ({@code sub}); falls back to the application, then to the client IP. */
  static RateLimitKeyResolver bySubject() {
    return (caller, request, clientIp) -> caller.subject() != null ? "sub:" + caller.subject()
        : byApplication().key(caller, request, clientIp);
  }

  /** Per client IP. */
  static RateLimitKeyResolver byClientIp() {
    return (caller, request, clientIp) -> "ip:" + clientIp;
  }
}
