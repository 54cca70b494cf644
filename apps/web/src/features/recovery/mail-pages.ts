/*
 * The pages a mail leads to, and the one that sends such a mail, load as one chunk: they are seldom
 * opened, and one chunk keeps their shared parts out of every other page.
 */
export { ForgotPasswordPage } from './forgot-password-page';
export { ResetPasswordPage } from './reset-password-page';
export { VerifyEmailPage } from '../verification/verify-email-page';
export { CancelEmailChangePage } from '../verification/cancel-email-change-page';
