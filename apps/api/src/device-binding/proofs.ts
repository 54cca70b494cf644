import { EmbeddedJWK, importJWK, jwtVerify } from 'jose';
import type { JWK } from 'jose';
import type { DevicePublicKey } from '../sessions/session-data';

/** What a DBSC proof is: a compact JWS, ES256, `typ: dbsc+jwt`, whose `jti` is the challenge answered. */
const VERIFY_OPTIONS = { algorithms: ['ES256'], typ: 'dbsc+jwt' };

/** Only the public members are kept: whatever else a header's JWK carried is dropped. */
function toPublicKey(jwk: JWK | undefined): DevicePublicKey | null {
  if (jwk?.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string' || jwk.d !== undefined) return null;
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/** The registration proof, signed by the key it carries in its header: that key is what gets bound. */
export async function verifyRegistrationProof(jws: string): Promise<{ challenge: string; publicKey: DevicePublicKey } | null> {
  try {
    const { payload, protectedHeader } = await jwtVerify(jws, EmbeddedJWK, VERIFY_OPTIONS);
    const publicKey = toPublicKey(protectedHeader.jwk);
    return publicKey && typeof payload.jti === 'string' ? { challenge: payload.jti, publicKey } : null;
  } catch {
    return null;
  }
}

/** A refresh proof: signed by the key bound at registration, never by one it names itself. */
export async function verifyRefreshProof(jws: string, publicKey: DevicePublicKey): Promise<{ challenge: string } | null> {
  try {
    const { payload } = await jwtVerify(jws, await importJWK(publicKey, 'ES256'), VERIFY_OPTIONS);
    return typeof payload.jti === 'string' ? { challenge: payload.jti } : null;
  } catch {
    return null;
  }
}
