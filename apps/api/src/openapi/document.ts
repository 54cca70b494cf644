import { OpenApiGeneratorV31, OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { describeActivity } from './activity';
import { describeAdmin } from './admin';
import { describeAuth } from './auth';
import { describeDevOutbox } from './dev';
import { describeDeviceBinding } from './device-binding';
import { describeEmail } from './email';
import { describeEvents, LiveEvent } from './events';
import { describeHealth } from './health';
import { describeOidc } from './oidc';
import { describePasskeys } from './passkeys';
import { SESSION_COOKIE_SCHEME } from './operations';
import { describeRecovery } from './recovery';
import { describeReference } from './reference';
import { describeSecondFactor } from './second-factor';
import { describeSessions } from './sessions';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const OVERVIEW = `
Session-cookie authentication for an Express API and a single-page app. Every answer is JSON under \`/api\`
(except the event stream and this reference page).

## The session cookie
Signing in (or registering) sets an opaque, signed, \`HttpOnly\`, \`SameSite=Lax\` cookie; in production it is
named \`__Host-gh.sid\` and \`Secure\` (HTTPS only). The server re-sends it on answers as activity moves its idle
deadline, and gives the session a new id on every proof of identity (sign-in, re-authentication, password
change): keep every \`Set-Cookie\` (\`curl -c jar -b jar\`). A device cookie (\`gh.device\`) remembers the browser
for the sign-in throttle and the device list.

## Cross-site requests (CSRF) and bodies
State-changing requests (\`POST\`, \`PUT\`, \`PATCH\`, \`DELETE\`) sent by a browser must come from the app's own
origin: \`Sec-Fetch-Site: same-origin\` (or \`none\`), or, from browsers that send no \`Sec-Fetch-Site\`, an
\`Origin\` on the allowlist (\`ALLOWED_ORIGINS\`). Anything else is refused with \`403 cross_site_request\`. A
client that sends neither header (curl, a server) is not a browser and cannot be made to carry someone
else's cookie, so it is let through. Bodies must be \`application/json\` (otherwise \`415\`), at most 10 kB
(\`413\`), a JSON object nested at most 16 deep (\`400 malformed_body\`). An operation that takes no body
may be sent with none, with or without \`Content-Type: application/json\`.

## Errors
Every error has the shape \`{"error":{"code","message","fields?"}}\` (schema \`Error\`): \`code\` is stable,
\`message\` is for people, \`fields\` holds per-field messages for \`validation_failed\`. An unknown path under
\`/api\` answers \`404 not_found\`; a known path with another method answers \`405 method_not_allowed\` with an
\`Allow\` header.

## Rate limits and outages
Password checks (sign-in, re-authentication, password change), authenticator and recovery codes,
passkey challenges, registrations, mail (per address and per IP) and one-time links are throttled; when a limit is spent the answer is \`429 too_many_requests\` with \`Retry-After\` (seconds). While the database is
unreachable every call that needs it answers \`503 service_unavailable\` with \`Retry-After\`: nobody is
signed out by an outage.
`.trim();

const TAGS = [
  { name: 'Auth', description: 'Registration, sign-in and out, re-authentication, password change.' },
  { name: 'Recovery', description: 'A forgotten password, through a link mailed to the account.' },
  { name: 'Email', description: 'Confirming an address, and changing it.' },
  { name: 'Second factor', description: 'An authenticator app and recovery codes, and the second step of a password sign-in.' },
  { name: 'Passkeys', description: 'WebAuthn credentials: signing in without a password, confirming, and managing them.' },
  { name: 'Sessions', description: "The signed-in person's own sessions." },
  { name: 'Device binding', description: 'Device Bound Session Credentials: the browser binds a session to a key it keeps on the device (S45).' },
  { name: 'Activity', description: 'What happened to the account.' },
  { name: 'Live events', description: 'Server-Sent Events that keep open tabs current.' },
  { name: 'Admin', description: 'Operators: every session and account, the store.' },
  { name: 'Health', description: 'Probes for load balancers and orchestrators.' },
  { name: 'Reference', description: 'This document.' },
  { name: 'Development', description: 'Outside production only: the mail the server sent.' },
];

/**
 * The OpenAPI 3.1 description of every route the app serves; one module per feature describes its
 * routes from the zod contracts the handlers validate with. `hasDocsPage`, `hasDevOutbox`: the reference
 * page and the mail outbox are served (never in production).
 */
export function createOpenApiDocument({
  cookieName,
  hasDocsPage,
  hasDevOutbox,
}: {
  cookieName: string;
  hasDocsPage: boolean;
  hasDevOutbox: boolean;
}): OpenApiDocument {
  const api = new OpenAPIRegistry();
  api.registerComponent('securitySchemes', SESSION_COOKIE_SCHEME, {
    type: 'apiKey',
    in: 'cookie',
    name: cookieName,
    description: 'The session cookie set by sign-in or registration. State-changing calls from browsers must also pass the cross-site checks described above.',
  });
  describeHealth(api);
  describeAuth(api);
  describeRecovery(api);
  describeEmail(api);
  describeSecondFactor(api);
  describePasskeys(api);
  describeOidc(api);
  describeSessions(api);
  describeDeviceBinding(api);
  describeActivity(api);
  describeEvents(api);
  describeAdmin(api);
  describeReference(api, { hasDocsPage });
  if (hasDevOutbox) describeDevOutbox(api);

  return new OpenApiGeneratorV31([...api.definitions, { type: 'schema', schema: LiveEvent }]).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Gatehouse API', version: '0.1.0', description: OVERVIEW, license: { name: 'MIT', identifier: 'MIT' } },
    tags: TAGS,
  });
}
