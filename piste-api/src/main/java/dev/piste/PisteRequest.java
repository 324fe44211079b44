package dev.piste;

import java.util.List;

/**
 * The neutral view of one incoming HTTP request. The servlet and JAX-RS adapters implement it once
 * per request, so that the engine and every extension point see the same thing whatever the
 * framework.
 *
 * <p>Header names are case-insensitive. Implementations are not thread-safe and are valid only for
 * the duration of the request.
 */
public interface PisteRequest {

  /** The HTTP method, upper case ({@code GET}, {@code POST}, ...). */
  String method();

  /** The request path below the application's context path, starting with {@code /}, decoded. */
  String path();

  /** The raw query string without {@code ?}, or {@code null} when there is none. */
  String query();

  /** The first value of a header, or {@code null} when the request has none. */
  String header(String name);

  /** Every value of a header in order of arrival; empty when the request has none. */
  List<String> headers(String name);

  /** The IP address of the immediate peer (the socket), never taken from a header. */
  String remoteAddress();
}
