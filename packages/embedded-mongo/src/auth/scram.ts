/**
 * SCRAM-SHA-256 (RFC 7677) server side, as MongoDB speaks it over saslStart/saslContinue.
 * Users are kept only as salted keys (StoredKey/ServerKey), 15000 PBKDF2 iterations.
 */
import crypto from 'node:crypto';
import { MongoCommandError } from '../errors';

export interface ScramCredential {
  user: string;
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, data: string | Buffer): Buffer => crypto.createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => crypto.createHash('sha256').update(data).digest();

export function makeCredential(user: string, password: string, iterations = 15000): ScramCredential {
  const salt = crypto.randomBytes(28);
  const salted = crypto.pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  return {
    user,
    salt,
    iterations,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

const authFailed = (): MongoCommandError => new MongoCommandError(18, 'Authentication failed.');

function parseAttrs(msg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of msg.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

function decodeUser(name: string): string {
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export class ScramConversation {
  private readonly users: Map<string, ScramCredential>;
  private cred: ScramCredential | undefined;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private step = 0;
  /** Set once the client proof has been verified. */
  authenticatedUser: string | undefined;

  constructor(users: Map<string, ScramCredential>) {
    this.users = users;
  }

  /** Handles the client-first message; returns the server-first message. */
  start(mechanism: unknown, payload: Buffer): Buffer {
    if (mechanism !== 'SCRAM-SHA-256') {
      throw new MongoCommandError(
        334,
        `Received authentication for mechanism ${String(mechanism)} which is not enabled (embedded-mongo supports SCRAM-SHA-256 only)`,
      );
    }
    const msg = payload.toString('utf8');
    if (!msg.startsWith('n,')) throw new MongoCommandError(17, 'SCRAM channel binding is not supported');
    const bare = msg.slice(msg.indexOf(',', 2) + 1);
    const attrs = parseAttrs(bare);
    const user = decodeUser(attrs.get('n') ?? '');
    const clientNonce = attrs.get('r');
    if (!clientNonce) throw new MongoCommandError(17, 'Invalid SCRAM client-first message');
    this.cred = this.users.get(user);
    // Unknown users still get a well-formed challenge; the proof check fails later.
    const cred = this.cred ?? { salt: crypto.randomBytes(28), iterations: 15000 };
    this.clientFirstBare = bare;
    this.nonce = clientNonce + crypto.randomBytes(24).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${cred.salt.toString('base64')},i=${cred.iterations}`;
    this.step = 1;
    return Buffer.from(this.serverFirst, 'utf8');
  }

  /** Handles client-final (returns server-final) and the optional empty last exchange. */
  continue(payload: Buffer): { payload: Buffer; done: boolean } {
    if (this.step === 2) {
      this.step = 3;
      return { payload: Buffer.alloc(0), done: true };
    }
    if (this.step !== 1) throw authFailed();
    const msg = payload.toString('utf8');
    const pIdx = msg.lastIndexOf(',p=');
    if (pIdx < 0) throw authFailed();
    const withoutProof = msg.slice(0, pIdx);
    const attrs = parseAttrs(withoutProof);
    const proof = Buffer.from(msg.slice(pIdx + 3), 'base64');
    if (attrs.get('r') !== this.nonce || !this.cred || proof.length !== 32) throw authFailed();
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.cred.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = (proof[i] as number) ^ (clientSignature[i] as number);
    if (!crypto.timingSafeEqual(sha256(clientKey), this.cred.storedKey)) throw authFailed();
    this.authenticatedUser = this.cred.user;
    this.step = 2;
    const serverSignature = hmac(this.cred.serverKey, authMessage).toString('base64');
    return { payload: Buffer.from(`v=${serverSignature}`, 'utf8'), done: false };
  }
}
