import { describe, expect, it } from 'vitest';
import { ChangeEmailRequestSchema, VerifyEmailRequestSchema } from './email';
import { ForgotPasswordRequestSchema, ResetPasswordRequestSchema } from './recovery';

describe('recovery and verification requests', () => {
  it('normalise the address like registration does', () => {
    expect(ForgotPasswordRequestSchema.parse({ email: '  Ada@Example.COM ' })).toEqual({ email: 'ada@example.com' });
    expect(ChangeEmailRequestSchema.parse({ email: 'New@Example.com' })).toEqual({ email: 'new@example.com' });
  });

  it('S22: refuse operator objects where a token or an address is expected', () => {
    expect(ForgotPasswordRequestSchema.safeParse({ email: { $ne: null } }).success).toBe(false);
    expect(VerifyEmailRequestSchema.safeParse({ token: { $gt: '' } }).success).toBe(false);
    expect(ResetPasswordRequestSchema.safeParse({ token: { $regex: '.*' }, password: 'long enough passphrase' }).success).toBe(false);
  });

  it('take any string as a token (an unknown one is the server’s invalid_token), within a bound', () => {
    expect(VerifyEmailRequestSchema.safeParse({ token: 'x' }).success).toBe(true);
    expect(VerifyEmailRequestSchema.safeParse({ token: '' }).success).toBe(false);
    expect(VerifyEmailRequestSchema.safeParse({ token: 'x'.repeat(513) }).success).toBe(false);
  });

  it('hold the new password to the registration policy’s length', () => {
    expect(ResetPasswordRequestSchema.safeParse({ token: 't', password: 'short' }).success).toBe(false);
    expect(ResetPasswordRequestSchema.safeParse({ token: 't', password: 'long enough passphrase' }).success).toBe(true);
  });
});
