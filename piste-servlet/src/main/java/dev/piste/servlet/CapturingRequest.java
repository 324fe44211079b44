package dev.piste.servlet;

import dev.piste.core.internal.audit.BodyCapture;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Hands the body bytes the application reads to the audit {@link BodyCapture} (bounded, redacted
 * when the event is built). Used only when body capture is on and the content type is allowed.
 */
final class CapturingRequest extends HttpServletRequestWrapper {

  private final BodyCapture capture;
  private ServletInputStream in;
  private BufferedReader reader;

  CapturingRequest(HttpServletRequest request, BodyCapture capture) {
    super(request);
    this.capture = capture;
  }

  @Override
  public ServletInputStream getInputStream() throws IOException {
    if (in == null) {
      ServletInputStream delegate = super.getInputStream();
      in = new ServletInputStream() {
        @Override
        public boolean isFinished() {
          return delegate.isFinished();
        }

        @Override
        public boolean isReady() {
          return delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
          delegate.setReadListener(listener);
        }

        @Override
        public int read() throws IOException {
          int b = delegate.read();
          if (b >= 0) {
            capture.write(b);
          }
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = delegate.read(b, off, len);
          if (n > 0) {
            capture.write(b, off, n);
          }
          return n;
        }

        @Override
        public void close() throws IOException {
          delegate.close();
        }
      };
    }
    return in;
  }

  @Override
  public BufferedReader getReader() throws IOException {
    if (reader == null) {
      String enc = null;
      Charset cs;
      try {
        enc = getCharacterEncoding();
        cs = enc != null ? Charset.forName(enc) : defaultCharset();
      } catch (IllegalArgumentException e) {
        // as the container's own getReader() answers (Servlet 6.0, ServletRequest.getReader)
        throw new UnsupportedEncodingException(enc);
      }
      reader = new BufferedReader(new InputStreamReader(getInputStream(), cs));
    }
    return reader;
  }

  /**
   * The charset the container reads a body in when the request names none, so that capturing the
   * body never changes the text the application reads: the context's default request encoding,
   * else UTF-8 for the types whose charset Jetty 12 assumes ({@code application/json},
   * {@code text/json}, {@code application/vnd.api+json}, {@code application/xhtml+xml}, without
   * parameters), else ISO-8859-1
   * (Servlet 6.0, 3.12), as for {@code application/problem+json}.
   */
  private Charset defaultCharset() {
    String context = getServletContext().getRequestCharacterEncoding();
    if (context != null) {
      return Charset.forName(context);
    }
    String type = getHeader("Content-Type");
    // Jetty's table of types whose charset it assumes, for a header without parameters
    if (type != null && type.indexOf(';') < 0) {
      switch (type.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "application/json", "text/json", "application/vnd.api+json", "application/xhtml+xml":
          return StandardCharsets.UTF_8;
        default:
          break;
      }
    }
    return StandardCharsets.ISO_8859_1;
  }
}
