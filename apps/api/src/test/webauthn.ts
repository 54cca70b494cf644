import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { PasskeyAuthenticationCredential, PasskeyCreationOptions, PasskeyRegistrationCredential, PasskeyRequestOptions } from '@gatehouse/types/passkeys';

/**
 * A software authenticator for API tests: a P-256 key made with node:crypto, an attestation object of
 * format "none" and assertions signed as a real authenticator signs them (W3C WebAuthn §6.1, §6.3.3).
 * Every field a browser or authenticator would set can be set wrong, to see the relying party refuse it.
 */

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_DATA = 0x40;

/** The few CBOR items these structures need (RFC 8949): small maps, text, bytes and small integers. */
function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 256) return Buffer.from([(major << 5) | 24, length]);
  return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
}
const cborInt = (value: number) => (value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value));
const cborText = (text: string) => Buffer.concat([cborHead(3, Buffer.byteLength(text)), Buffer.from(text)]);
const cborBytes = (bytes: Buffer) => Buffer.concat([cborHead(2, bytes.length), bytes]);
const cborMap = (entries: [Buffer, Buffer][]) => Buffer.concat([cborHead(5, entries.length), ...entries.flat()]);

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  /** Whether the authenticator says it verified the user (PIN, biometrics). */
  isUserVerified?: boolean;
  /** Another challenge than the one in the options (e.g. an earlier one, replayed). */
  challenge?: string;
  /** The signature counter to report; by default one more than last time. */
  counter?: number;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly cosePublicKey: Buffer;
  private counter = 0;
  userHandle: string | null = null;

  constructor(private readonly defaults: { origin: string; rpId: string }) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    // COSE_Key for ES256: kty EC2 (2), alg -7, crv P-256 (1), x, y.
    this.cosePublicKey = cborMap([
      [cborInt(1), cborInt(2)],
      [cborInt(3), cborInt(-7)],
      [cborInt(-1), cborInt(1)],
      [cborInt(-2), cborBytes(Buffer.from(jwk.x ?? '', 'base64url'))],
      [cborInt(-3), cborBytes(Buffer.from(jwk.y ?? '', 'base64url'))],
    ]);
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  private authData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  private clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  private flags(overrides: CeremonyOverrides): number {
    return FLAG_USER_PRESENT | (overrides.isUserVerified === false ? 0 : FLAG_USER_VERIFIED);
  }

  /** What `navigator.credentials.create()` would give for these options. */
  register(options: PasskeyCreationOptions, overrides: CeremonyOverrides = {}): PasskeyRegistrationCredential {
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, this.cosePublicKey]);
    const authData = this.authData(overrides.rpId ?? this.defaults.rpId, this.flags(overrides) | FLAG_ATTESTED_DATA, 0, attested);
    const attestationObject = cborMap([
      [cborText('fmt'), cborText('none')],
      [cborText('attStmt'), cborMap([])],
      [cborText('authData'), cborBytes(authData)],
    ]);
    this.userHandle = options.user.id;
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', overrides.challenge ?? options.challenge, overrides.origin ?? this.defaults.origin)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    };
  }

  /** What `navigator.credentials.get()` would give for these options. */
  assert(options: PasskeyRequestOptions, overrides: CeremonyOverrides = {}): PasskeyAuthenticationCredential {
    this.counter = overrides.counter ?? this.counter + 1;
    const authData = this.authData(overrides.rpId ?? this.defaults.rpId, this.flags(overrides), this.counter);
    const clientDataJSON = this.clientData('webauthn.get', overrides.challenge ?? options.challenge, overrides.origin ?? this.defaults.origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
      clientExtensionResults: {},
    };
  }
}
