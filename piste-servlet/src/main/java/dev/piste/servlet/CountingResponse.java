package dev.piste.servlet;

import dev.piste.core.internal.pipeline.Exchange;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * Counts the body bytes the application writes, for the audit event's {@code responseBytes}. It
 * adds no buffering: every write goes straight to the container's stream or writer. Text written
 * through the writer is counted as its UTF-8 length.
 */
final class CountingResponse extends HttpServletResponseWrapper {

  private final Exchange exchange;
  private long count;
  private ServletOutputStream out;
  private PrintWriter writer;

  CountingResponse(HttpServletResponse response, Exchange exchange) {
    super(response);
    this.exchange = exchange;
  }

  /**
   * Clears the buffered body and the headers, as the container does, then sets the library's
   * headers again ({@code X-Request-Id}, {@code RateLimit}): an application that resets its
   * response does not drop them, and the bytes counted are only those sent after.
   */
  @Override
  public void reset() {
    super.reset();
    count = 0;
    Responses.addHeaders((HttpServletResponse) getResponse(), exchange);
  }

  /** Clears the buffered body: the bytes counted are only those sent after. */
  @Override
  public void resetBuffer() {
    super.resetBuffer();
    count = 0;
  }

  long count() {
    return count;
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (out == null) {
      ServletOutputStream delegate = super.getOutputStream();
      out = new ServletOutputStream() {
        @Override
        public boolean isReady() {
          return delegate.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
          delegate.setWriteListener(listener);
        }

        @Override
        public void write(int b) throws IOException {
          delegate.write(b);
          count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          delegate.write(b, off, len);
          count += len;
        }

        @Override
        public void flush() throws IOException {
          delegate.flush();
        }

        @Override
        public void close() throws IOException {
          delegate.close();
        }
      };
    }
    return out;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    if (writer == null) {
      PrintWriter delegate = super.getWriter();
      writer = new CountingWriter(delegate, new Writer() {
        @Override
        public void write(char[] c, int off, int len) {
          delegate.write(c, off, len);
          count += utf8Length(c, off, len);
        }

        @Override
        public void write(String s, int off, int len) {
          delegate.write(s, off, len);
          for (int i = off; i < off + len; i++) {
            count += utf8Length(s.charAt(i));
          }
        }

        @Override
        public void flush() {
          delegate.flush();
        }

        @Override
        public void close() {
          delegate.close();
        }
      });
    }
    return writer;
  }

  /**
   * The writer handed to the application. A {@code PrintWriter} swallows the exceptions of the
   * writer under it and only remembers them, so the container's writer is asked too: a streaming
   * servlet that polls {@code checkError()} sees the client leave, as it does without the filter.
   */
  private static final class CountingWriter extends PrintWriter {
    private final PrintWriter delegate;

    CountingWriter(PrintWriter delegate, Writer counting) {
      super(counting);
      this.delegate = delegate;
    }

    @Override
    public boolean checkError() {
      return super.checkError() || delegate.checkError();
    }
  }

  private static long utf8Length(char[] c, int off, int len) {
    long n = 0;
    for (int i = off; i < off + len; i++) {
      n += utf8Length(c[i]);
    }
    return n;
  }

  private static int utf8Length(char ch) {
    if (ch < 0x80) {
      return 1;
    }
    if (ch < 0x800 || Character.isSurrogate(ch)) {
      return 2;
    }
    return 3;
  }
}
