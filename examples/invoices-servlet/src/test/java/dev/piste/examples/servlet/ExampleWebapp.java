package dev.piste.examples.servlet;

import org.eclipse.jetty.ee10.webapp.WebAppContext;

/** The example's {@code src/main/webapp} as a web application at {@code /}, for the tests. */
final class ExampleWebapp {
  private ExampleWebapp() {}

  /** A fresh context, not started; add init parameters before passing it to Jetty. */
  static WebAppContext context() {
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/");
    webapp.setWar("src/main/webapp");
    webapp.setParentLoaderPriority(true);
    return webapp;
  }
}
