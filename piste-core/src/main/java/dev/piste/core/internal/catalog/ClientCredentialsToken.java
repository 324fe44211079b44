package dev.piste.core.internal.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.piste.core.internal.token.HttpFetcher;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * A bearer token from the OAuth2 client-credentials grant (RFC 6749 4.4), with the client
 * authenticated by HTTP Basic (client_secret_basic). The token is reused until three quarters of
 * its lifetime have passed, then renewed; {@link #invalidate()} drops it after a 401. No message
 * ever contains the secret or the token.
 */
public final class ClientCredentialsToken {

  private static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
  private static final long MAX_LIFETIME_SECONDS = 86_400;
  /** A token answer is a small JSON object; a larger body is refused, not read into memory. */
  private static final long MAX_BODY_BYTES = 64 * 1024;

  private final HttpClient http;
  private final URI tokenUri;
  private final String basic;
  private final Clock clock;
  private final Duration timeout;
  private String token;
  private Instant renewAt = Instant.MIN;

  public ClientCredentialsToken(HttpClient http, URI tokenUri, String clientId, String clientSecret,
      Clock clock, Duration timeout) {
    this.http = http;
    this.tokenUri = tokenUri;
    this.basic = "Basic " + Base64.getEncoder().encodeToString(
        (form(clientId) + ":" + form(clientSecret)).getBytes(StandardCharsets.UTF_8));
    this.clock = clock;
    this.timeout = timeout;
  }

  /** A valid access token, obtained or renewed when needed. */
  public synchronized String get() throws IOException {
    Instant now = clock.instant();
    if (token != null && now.isBefore(renewAt)) {
      return token;
    }
    HttpRequest request = HttpRequest.newBuilder(tokenUri).timeout(timeout)
        .header("Authorization", basic)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
        .build();
    HttpResponse<byte[]> response = Exchanges.send(http, request,
        HttpFetcher.cappedBody(MAX_BODY_BYTES), timeout);
    if (response.statusCode() != 200) {
      throw new IOException("the token endpoint " + tokenUri + " answered HTTP "
          + response.statusCode() + " to the client-credentials grant");
    }
    JsonNode body;
    try {
      body = DescriptorJson.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new IOException("the token endpoint " + tokenUri + " answered a body that is not JSON");
    }
    String accessToken = body.path("access_token").asText("");
    if (accessToken.isEmpty() || !"bearer".equalsIgnoreCase(body.path("token_type").asText("bearer"))) {
      throw new IOException("the token endpoint " + tokenUri + " answered no bearer access_token");
    }
    long expiresIn = body.path("expires_in").asLong(0);
    // renewed within a day whatever the endpoint says (a huge expires_in overflowed the clock)
    Duration lifetime = expiresIn > 0 ? Duration.ofSeconds(Math.min(expiresIn, MAX_LIFETIME_SECONDS))
        : DEFAULT_LIFETIME;
    token = accessToken;
    renewAt = now.plus(lifetime.multipliedBy(3).dividedBy(4));
    return token;
  }

  /** Forgets the token, so that the next {@link #get()} obtains a new one. */
  public synchronized void invalidate() {
    token = null;
    renewAt = Instant.MIN;
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
