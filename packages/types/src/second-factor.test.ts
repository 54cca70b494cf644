import { describe, expect, it } from 'vitest';
import { PasskeyAuthenticationCredentialSchema } from './passkeys';
import { PasswordLoginResponseSchema, SecondFactorLoginRequestSchema } from './second-factor';

describe('SecondFactorLoginRequestSchema', () => {
  it('takes a code as typed: spaces and dashes dropped, letters lower-cased', () => {
    expect(SecondFactorLoginRequestSchema.parse({ code: ' 123 456 ' })).toEqual({ code: '123456' });
    expect(SecondFactorLoginRequestSchema.parse({ code: 'ABCD-efgh-IJKL-mnop' })).toEqual({ code: 'abcdefghijklmnop' });
  });

  it('refuses operators, numbers, empty and over-long codes (S22)', () => {
    for (const code of [{ $ne: null }, 123456, '', ' - ', 'x'.repeat(65), 'abc$def']) {
      expect(SecondFactorLoginRequestSchema.safeParse({ code }).success).toBe(false);
    }
  });

  it('takes a passkey assertion instead, keeping only the fields WebAuthn defines', () => {
    const credential = {
      id: 'AQID',
      rawId: 'AQID',
      type: 'public-key',
      response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA', userHandle: 'dXNlcg', extra: 'dropped' },
      clientExtensionResults: {},
      role: 'admin',
    };
    const parsed = SecondFactorLoginRequestSchema.parse({ credential });
    expect(parsed).toEqual({ credential: { ...credential, role: undefined, response: { ...credential.response, extra: undefined } } });
    expect(PasskeyAuthenticationCredentialSchema.safeParse({ ...credential, id: 'not base64url!' }).success).toBe(false);
  });
});

describe('PasswordLoginResponseSchema', () => {
  it('is the signed-in user, or a request for the second factor', () => {
    expect(PasswordLoginResponseSchema.parse({ secondFactorRequired: true, methods: ['totp', 'recovery_code'] })).toEqual({
      secondFactorRequired: true,
      methods: ['totp', 'recovery_code'],
    });
    expect(PasswordLoginResponseSchema.safeParse({ secondFactorRequired: true, methods: ['sms'] }).success).toBe(false);
  });
});
