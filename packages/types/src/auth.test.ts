import { describe, expect, it } from 'vitest';
import { LoginRequestSchema, PASSWORD_MAX_LENGTH, RegisterRequestSchema } from './auth';

describe('RegisterRequestSchema', () => {
  it('normalises the email to trimmed lower case', () => {
    const parsed = RegisterRequestSchema.parse({ name: ' Ada ', email: '  Ada@Example.COM ', password: 'correct horse battery' });
    expect(parsed).toEqual({ name: 'Ada', email: 'ada@example.com', password: 'correct horse battery' });
  });

  it('keeps the password exactly as typed, spaces included', () => {
    const parsed = RegisterRequestSchema.parse({ name: 'Ada', email: 'ada@example.com', password: '  spaced out  ' });
    expect(parsed.password).toBe('  spaced out  ');
  });

  it('refuses a password shorter than 8 or longer than the maximum', () => {
    expect(RegisterRequestSchema.safeParse({ name: 'A', email: 'a@example.com', password: '1234567' }).success).toBe(false);
    const tooLong = 'x'.repeat(PASSWORD_MAX_LENGTH + 1);
    expect(RegisterRequestSchema.safeParse({ name: 'A', email: 'a@example.com', password: tooLong }).success).toBe(false);
  });

  it('refuses operator objects where strings are expected', () => {
    expect(LoginRequestSchema.safeParse({ email: { $ne: null }, password: 'x' }).success).toBe(false);
    expect(LoginRequestSchema.safeParse({ email: 'a@example.com', password: { $gt: '' } }).success).toBe(false);
  });

  it('drops unknown keys such as role instead of passing them on', () => {
    const parsed = RegisterRequestSchema.parse({ name: 'A', email: 'a@example.com', password: 'long enough', role: 'admin' });
    expect(parsed).not.toHaveProperty('role');
  });
});
