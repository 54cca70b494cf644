import { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerOptions } from 'node:http';
import type { Express, Request, Response } from 'express';

/**
 * Request and response classes for `http.createServer` whose objects are born with an Express app's
 * prototypes. Express gives every request and response its app's prototypes as it receives them
 * (`Object.setPrototypeOf` in `app.handle`). An object whose prototype changes after it was made is
 * costly in V8: it and everything it holds outlived the young-generation collections (a bare Express
 * app promoted about 4 MB per collection, handed requests one at a time), and a plain Express app
 * with express-session took 1.6–2.5× the CPU per request of the same app whose objects were born
 * with their prototypes (docs/performance.md, "Run of 2026-12-07, fifth").
 *
 * Until `adopt` is called (the app is built once the database is up) the objects are Node's own and
 * Express sets their prototypes as usual; afterwards Express finds them already in place.
 */
export interface BornExpressObjects {
  /** For `http.createServer(serverOptions, …)`: the classes its requests and responses are made from. */
  serverOptions: ServerOptions;
  /** Requests and responses made from now on are born with this app's prototypes. */
  adopt(app: Express): void;
}

export function createBornExpressObjects(): BornExpressObjects {
  class BornRequest extends IncomingMessage {}
  class BornResponse<Req extends IncomingMessage = IncomingMessage> extends ServerResponse<Req> {}
  return {
    serverOptions: { IncomingMessage: BornRequest, ServerResponse: BornResponse },
    adopt(app) {
      // Once per app, not per request: the classes' prototypes take their place in the app's chain
      // (BornRequest.prototype → app.request → Express's request → IncomingMessage.prototype), and the
      // app hands them to Express, which then sets each object's prototype to the one it already has.
      Object.setPrototypeOf(BornRequest.prototype, app.request);
      Object.setPrototypeOf(BornResponse.prototype, app.response);
      app.request = BornRequest.prototype as unknown as Request;
      app.response = BornResponse.prototype as unknown as Response;
    },
  };
}
