import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import type supertest from 'supertest';
import { expect } from 'vitest';

/** The header a sign-in response asks a DBSC browser to register with, parsed (path and challenge). */
export function registrationOffer(res: supertest.Response): { path: string; challenge: string } | null {
  const header = res.get('Secure-Session-Registration');
  if (!header) return null;
  const match = /^\(ES256\);path="([^"]+)";challenge="([^"]+)"$/.exec(header);
  expect(match, header).not.toBeNull();
  return { path: match?.[1] ?? '', challenge: match?.[2] ?? '' };
}

/** A challenge from a refresh's 403 (`Secure-Session-Challenge: "…";id="…"`). */
export function refreshChallenge(res: supertest.Response): string {
  const match = /^"([^"]+)";id="([^"]+)"$/.exec(res.get('Secure-Session-Challenge') ?? '');
  expect(match, res.get('Secure-Session-Challenge')).not.toBeNull();
  return match?.[1] ?? '';
}

/**
 * What a DBSC browser does with its device key, as Chromium does it: an ES256 key pair, registration
 * proofs that carry the public key in their header, refresh proofs that do not.
 */
export async function createDeviceKey() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk: JWK = await exportJWK(publicKey);

  const sign = (challenge: string, header: Record<string, unknown>, key: CryptoKey = privateKey) =>
    new SignJWT({ jti: challenge }).setProtectedHeader({ alg: 'ES256', typ: 'dbsc+jwt', ...header }).sign(key);

  return {
    jwk,
    privateKey,
    registrationProof: (challenge: string, header: Record<string, unknown> = {}) => sign(challenge, { jwk, ...header }),
    refreshProof: (challenge: string, header: Record<string, unknown> = {}) => sign(challenge, header),
  };
}

export type DeviceKey = Awaited<ReturnType<typeof createDeviceKey>>;

/** Registers the agent's session with `key`, as the browser does right after the sign-in response. */
export async function bindSession(agent: supertest.Agent, signInResponse: supertest.Response, key: DeviceKey): Promise<{ bindingId: string }> {
  const offer = registrationOffer(signInResponse);
  expect(offer, 'the sign-in response offers registration').not.toBeNull();
  const res = await agent.post(offer?.path ?? '').set('Secure-Session-Response', await key.registrationProof(offer?.challenge ?? ''));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { bindingId: (res.body as { session_identifier: string }).session_identifier };
}

/** Both legs of a refresh: the 403 with a challenge, then the signed answer. Returns the second response. */
export async function refreshBinding(agent: supertest.Agent, bindingId: string, key: DeviceKey): Promise<supertest.Response> {
  const first = await agent.post('/api/auth/device-binding/refresh').set('Sec-Secure-Session-Id', bindingId);
  expect(first.status).toBe(403);
  return agent
    .post('/api/auth/device-binding/refresh')
    .set('Sec-Secure-Session-Id', bindingId)
    .set('Secure-Session-Response', await key.refreshProof(refreshChallenge(first)));
}
