/**
 * Token validation extension points: {@link dev.piste.token.TokenVerifier} checks a bearer token,
 * {@link dev.piste.token.ApiKeyStore} finds the owner of an API key. Both answer with values, never
 * with exceptions carrying the credential: a {@link dev.piste.token.TokenVerification} is verified
 * (with its {@link dev.piste.Caller}), rejected (with a fixed {@link dev.piste.token.TokenFailure}) or
 * unavailable (503).
 */
package dev.piste.token;
