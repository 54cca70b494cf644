/**
 * Sends the whole page to `url` (an identity provider's sign-in page), leaving the app. A module of its
 * own so tests can replace it: jsdom cannot navigate, nor can `window.location.assign` be spied on.
 */
export function leavePageFor(url: string): void {
  window.location.assign(url);
}
