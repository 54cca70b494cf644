import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { AccountExportSchema, DeleteAccountRequestSchema } from '@gatehouse/types/account';
import { addOperation, json, jsonBody } from './operations';

const AccountExport = AccountExportSchema.meta({ id: 'AccountExport' });
const DeleteAccountRequest = DeleteAccountRequestSchema.meta({ id: 'DeleteAccountRequest' });

/** account/router.ts: taking one's data, and deleting the account. */
export function describeAccount(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'get',
    path: '/api/account/export',
    tags: ['Account'],
    summary: "Download the account's data",
    description:
      'The account, its sessions (with approximate places), activity, known browsers, passkey names and dates, and connected providers, as a JSON attachment. Never a secret: no password hash, authenticator secret, recovery codes, link tokens, session ids or passkey keys.',
    access: 'signed-in',
    responses: {
      200: json('The export (`Content-Disposition: attachment`).', AccountExport, {
        headers: { 'Content-Disposition': { description: 'attachment; filename="gatehouse-account-YYYY-MM-DD.json"', schema: { type: 'string' } } },
      }),
    },
  });
  addOperation(api, {
    method: 'delete',
    path: '/api/account',
    tags: ['Account'],
    summary: 'Delete the account',
    description:
      "Needs a recent proof (`POST /api/auth/reauth` or `/api/auth/passkey/reauth`) and the account's own address in `confirm`. Every session ends (their cookies get 401), factors, passkeys, known browsers, links, connections and the account go, its activity is anonymised, and the address can register again.",
    access: 'signed-in',
    request: { body: jsonBody(DeleteAccountRequest) },
    responses: { 204: { description: 'Deleted; the session cookie is cleared.' } },
    errors: { 400: ['validation_failed'], 403: ['reauth_required'] },
  });
}
