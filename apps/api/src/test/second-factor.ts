import { Secret, TOTP } from 'otpauth';
import type supertest from 'supertest';
import { expect } from 'vitest';
import type { RecoveryCodesResponse, TotpEnrolmentResponse } from '@gatehouse/types/second-factor';

/** A clock the app reads for authenticator-app codes; `advance()` moves to the next 30-second step. */
export interface TestClock {
  (): number;
  advance(ms?: number): void;
}

export function testClock(start = Date.now()): TestClock {
  let now = start;
  const clock = (() => now) as TestClock;
  clock.advance = (ms = 30_000) => {
    now += ms;
  };
  return clock;
}

/** The code an authenticator app shows for `secret` at `at` (computed here with otpauth, as an app would). */
export function totpCode(secret: string, at: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at });
}

export interface EnrolledTotp {
  secret: string;
  uri: string;
  recoveryCodes: string[];
}

/** Enrols an authenticator app through the API for the signed-in agent (fresh sign-in assumed). */
export async function enrolTotp(agent: supertest.Agent, clock: TestClock): Promise<EnrolledTotp> {
  const begun = await agent.post('/api/account/totp').send({});
  expect(begun.status, JSON.stringify(begun.body)).toBe(200);
  const { secret, uri } = begun.body as TotpEnrolmentResponse;
  const confirmed = await agent.post('/api/account/totp/confirm').send({ code: totpCode(secret, clock()) });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  // The confirming code's step is used up: the next sign-in needs the next step.
  clock.advance();
  return { secret, uri, recoveryCodes: (confirmed.body as RecoveryCodesResponse).recoveryCodes };
}

/** Step one of a password sign-in for an account with a second factor: the agent then holds the pending sign-in. */
export async function passwordStep(agent: supertest.Agent, account: { email: string; password: string }, rememberMe = false): Promise<supertest.Response> {
  const res = await agent.post('/api/auth/login').send({ email: account.email, password: account.password, rememberMe });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toMatchObject({ secondFactorRequired: true });
  return res;
}
