import { createHash, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { mongo } from 'mongoose';
import type { ActivityEvent, ActivityType } from '@gatehouse/types/activity';
import type { AuthMethod, Device, SessionEndReason } from '@gatehouse/types/sessions';

/**
 * The activity trail is a redactable hash chain (S47). Each entry carries a sequence number, the hash of
 * the entry before it and its own hash:
 *
 *   personalDigest = SHA-256(JCS({ userId, ip, device, passkeyName, salt }))
 *   hash           = SHA-256(JCS({ v, seq, prevHash, prevAt, type, at, actor, isSuspicious, reason,
 *                                  authMethods, providerName, personalDigest }))
 *
 * JCS is RFC 8785 (stable key order, one number format); dates enter as ISO strings. Personal fields are
 * covered only through their digest, which is stored with the entry, so anonymising an entry (removing
 * them and the salt, setting `anonymised`) leaves its hash and every link intact. The random salt keeps
 * the digest of an anonymised entry from being matched against guessed ids or addresses.
 */
export const CHAIN_VERSION = 1;
export const GENESIS_HASH = '0'.repeat(64);

type Actor = ActivityEvent['actor'];

/** What an entry says happened, without who it was about. */
export interface ActivityFacts {
  type: ActivityType;
  at: Date;
  actor: Actor;
  isSuspicious: boolean;
  reason?: SessionEndReason;
  authMethods?: AuthMethod[];
  providerName?: string;
}

/** Removed when the account is deleted. */
export interface PersonalFields {
  userId: string;
  ip: string | null;
  device: Device | null;
  passkeyName?: string;
}

export interface ChainLink {
  seq: number;
  prevHash: string;
  /** When the entry before was recorded: verify tells an entry expired by retention from one removed early. */
  prevAt: Date | null;
}

export interface ChainFields extends ChainLink {
  v: number;
  personalDigest: string;
  /** Hex; removed on anonymisation together with the personal fields. */
  personalSalt?: string;
  hash: string;
}

/** A stored document, as written by `record` or after `anonymiseUser`. */
export type ActivityDoc = ActivityFacts &
  Partial<PersonalFields> &
  Partial<ChainFields> & {
    _id: mongo.ObjectId;
    anonymised?: boolean;
  };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('activity chain: value cannot be serialised');
  return text;
}

/** Optional fields enter the hash as null when absent, so "absent" and "removed" cannot be told apart by shape. */
export function personalDigest(personal: PersonalFields, salt: string): string {
  return sha256(
    canonical({
      userId: personal.userId,
      ip: personal.ip,
      device: personal.device,
      passkeyName: personal.passkeyName ?? null,
      salt,
    }),
  );
}

export function entryHash(facts: ActivityFacts, link: ChainLink, digest: string, version = CHAIN_VERSION): string {
  return sha256(
    canonical({
      v: version,
      seq: link.seq,
      prevHash: link.prevHash,
      prevAt: link.prevAt ? link.prevAt.toISOString() : null,
      type: facts.type,
      at: facts.at.toISOString(),
      actor: facts.actor,
      isSuspicious: facts.isSuspicious,
      reason: facts.reason ?? null,
      authMethods: facts.authMethods ?? null,
      providerName: facts.providerName ?? null,
      personalDigest: digest,
    }),
  );
}

/** The chain fields of a new entry that follows `link`. */
export function sealEntry(facts: ActivityFacts, personal: PersonalFields, link: ChainLink): ChainFields {
  const personalSalt = randomBytes(16).toString('hex');
  const digest = personalDigest(personal, personalSalt);
  return { v: CHAIN_VERSION, ...link, personalDigest: digest, personalSalt, hash: entryHash(facts, link, digest) };
}

/** The fields `anonymiseUser` removes (and verify requires gone from an anonymised entry). */
export const PERSONAL_KEYS = ['userId', 'ip', 'device', 'passkeyName', 'personalSalt'] as const;
