package org.pscreen2vec.ps;

/**
 * How a request handler answers one request, whenever it is ready: at once, or later when the
 * round or the clock it waits for arrives (ps-lite's {@code server->Response(meta, result)}). The
 * transport behind it sends each worker's replies in the order that worker asked.
 */
@FunctionalInterface
interface Responder {
  void respond(Reply reply);
}
