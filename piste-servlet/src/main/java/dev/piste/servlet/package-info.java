/**
 * Servlet adapter: {@link dev.piste.servlet.PisteFilter} enforces, and {@link
 * dev.piste.servlet.PisteServletContextListener} builds and closes the shared engine. Configure both in
 * web.xml with {@code piste.*} context-params and init-params.
 */
package dev.piste.servlet;
