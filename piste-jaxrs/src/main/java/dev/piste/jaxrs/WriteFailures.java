package dev.piste.jaxrs;

import dev.piste.core.Piste;
import dev.piste.core.internal.pipeline.Pipeline;
import dev.piste.core.internal.pipeline.RequestView;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;
import java.io.IOException;

/**
 * Tells the audit record of a request that writing its response entity failed (no message body
 * writer, a {@code StreamingOutput} that throws, the client gone). Under the servlet listener the
 * record waits until the response is written, so it says {@code error}, and the status the
 * runtime answers instead when the response was not committed yet.
 */
final class WriteFailures implements WriterInterceptor {

  @Override
  public void aroundWriteTo(WriterInterceptorContext context)
      throws IOException, WebApplicationException {
    try {
      context.proceed();
    } catch (IOException | RuntimeException | Error e) {
      if (context.getProperty(Piste.REQUEST_VIEW_ATTRIBUTE) instanceof RequestView view
          && view.exchange() != null && !view.enforcedOutside()) {
        Pipeline.failedWriting(view.exchange(), e);
      }
      throw e;
    }
  }
}
