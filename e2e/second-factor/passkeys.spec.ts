import type { CDPSession, Page } from '@playwright/test';
import { ageSignIn, confirmAction, currentUserId, DEVICE_USER_AGENTS, expect, sessionCards, signInViaApi, signOutFromHeader, test } from '../fixtures';

/** Chromium's virtual authenticator (DevTools protocol, WebAuthn domain): a platform authenticator with user verification. */
async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { cdp, authenticatorId };
}

test('S38: add a passkey, sign out, sign in with it and no password, pass re-authentication with it, remove it; sessions say how they signed in', async ({
  page,
  signUpViaApi,
  newDevice,
}) => {
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
  // A browser without passkey autofill: Chromium's virtual authenticator would answer the sign-in page's
  // autofill request by itself, before the button could be pressed.
  await page.addInitScript(() => {
    Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: () => Promise.resolve(false) });
  });
  const account = await signUpViaApi('passkey', { isAddressConfirmed: true });
  // Another device stays signed in with the password, so the list shows two methods.
  const tablet = await newDevice(DEVICE_USER_AGENTS.windowsFirefox);
  await signInViaApi(tablet.page.request, account);
  await signInViaApi(page.request, account);
  await page.goto('/');

  const passkeys = page.getByRole('region', { name: 'Passkeys' });
  await passkeys.getByLabel('Name for the new passkey').fill('E2E laptop');
  // Checked by default (S36); left unchecked here, so the tablet stays for the list below.
  const signOutOthers = passkeys.getByRole('checkbox', { name: 'Sign out your other sessions' });
  await expect(signOutOthers).toBeChecked();
  await signOutOthers.uncheck();
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(passkeys.getByRole('status')).toHaveText('Passkey “E2E laptop” added.');
  await expect(passkeys.getByRole('list', { name: 'Your passkeys' }).getByRole('listitem')).toHaveCount(1);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]?.isResidentCredential).toBe(true);

  // Signed out, then back in with the passkey alone, by the button (autofill is the next test's subject).
  await signOutFromHeader(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
  const cards = sessionCards(page.getByRole('region', { name: 'All your sessions' }));
  await expect(cards).toHaveCount(2);
  await expect(cards.filter({ hasText: 'This device' })).toContainText('Sign-in methodPasskey');
  await expect(cards.filter({ hasText: 'This device' })).toContainText('VerificationTwo-step verified');
  await expect(cards.filter({ hasNotText: 'This device' })).toContainText('Sign-in methodPassword');
  await expect(page.getByRole('region', { name: 'Recent activity' }).getByText('Passkey added')).toBeVisible();

  // An old sign-in must confirm it is them before removing the passkey: the passkey itself answers.
  await ageSignIn(await currentUserId(page.request));
  await passkeys.getByRole('button', { name: 'Remove E2E laptop' }).click();
  await expect(page.getByRole('alertdialog').getByRole('checkbox', { name: 'Sign out your other sessions' })).toBeChecked();
  await confirmAction(page, 'Remove');
  const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(dialog).toBeHidden();
  await expect(passkeys.getByRole('status')).toHaveText('Passkey “E2E laptop” removed.');
  await expect(passkeys.getByText('You have no passkeys yet.')).toBeVisible();
  expect((await page.request.get('/api/auth/me')).status()).toBe(200);
  // Removing it kept the default: the tablet is signed out, and the list shows it gone.
  expect((await tablet.page.request.get('/api/auth/me')).status()).toBe(401);
  await expect(cards).toHaveCount(1);
});

test('S38: where the browser offers passkeys in the email field (conditional mediation), choosing one signs in without a password', async ({
  page,
  signUpViaApi,
}) => {
  await addVirtualAuthenticator(page);
  const account = await signUpViaApi('autofill', { isAddressConfirmed: true });
  await signInViaApi(page.request, account);
  await page.goto('/');
  const passkeys = page.getByRole('region', { name: 'Passkeys' });
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(passkeys.getByRole('list', { name: 'Your passkeys' }).getByRole('listitem')).toHaveCount(1);

  await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click();
  // Chromium's virtual authenticator picks the one passkey from the autofill request by itself.
  await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
  await expect(sessionCards(page.getByRole('region', { name: 'All your sessions' })).filter({ hasText: 'This device' })).toContainText('Sign-in methodPasskey');
});
