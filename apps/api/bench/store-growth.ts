/**
 * Cost as the store grows: the admin console's "All sessions" first page, the same filtered by e-mail
 * (one account; 1 % of accounts) and a person's own list (`GET /api/sessions`), one request at a time,
 * at 1,000, 10,000 and 100,000 stored sessions. One strict Gatehouse process (engine inside, core 0);
 * the store is topped up between sizes with documents shaped exactly like the ones the app writes
 * (copies of a real session, about four per account, owners inserted as accounts, each last active
 * a little after the one before), bulk-inserted
 * through the driver. `tsx bench/store-growth.ts [--quick]`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import type { AdminSessionListResponse } from '@gatehouse/types/admin';
import type { SessionListResponse } from '@gatehouse/types/sessions';
import { SESSIONS_COLLECTION } from '../src/sessions/registry';
import type { SessionDocument } from '../src/sessions/store';
import { sessionHandle } from '../src/sessions/handle';
import {
  connectToEmbedded,
  FORWARDED,
  getJson,
  register,
  signIn,
  startGatehouseProcess,
  stopGatehouseProcess,
  type GatehouseProcess,
} from './gatehouse-process';
import { cpuSeconds, fixed, log } from './measure';
import { firstLine, LOAD_CORE, spawnNode, stop } from './processes';
import { isEntryPoint, runAlone, targetTable } from './section';
import type { BenchSection, SectionOptions, Target } from './section';

const SIZES = [1_000, 10_000, 100_000];
const SESSIONS_PER_ACCOUNT = 4;
/** Seeded accounts spread over this many domains: a domain as the filter matches 1 % of them. */
const DOMAINS = 100;
const PERSON_SESSIONS = 10;
const ADMIN_PAGE_P99_LIMIT_MS = 100;
const BATCH = 5_000;

interface Scenario {
  name: string;
  path: string;
  as: 'admin' | 'person';
  /** Throws if the answer is not the one the store holds. */
  check(body: unknown, stored: number): void;
}

interface Sample {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  cpuMsPerRequest: number;
}

type UserSeed = { _id: mongoose.Types.ObjectId; name: string; email: string } & Record<string, unknown>;

const seededEmail = (index: number) => `member-${String(index).padStart(6, '0')}@d${index % DOMAINS}.example`;

const requestsPerCell = (quick: boolean) => (quick ? 40 : 200);

async function sample(server: GatehouseProcess, path: string, cookie: string, quick: boolean): Promise<Sample> {
  const requests = requestsPerCell(quick);
  const warmUp = quick ? 3 : 10;
  const options = { url: `${server.baseUrl}${path}`, headers: { Cookie: cookie, ...FORWARDED }, requests, maxSeconds: quick ? 10 : 30, warmUp };
  const cpuBefore = cpuSeconds(server.process);
  const child = spawnNode(LOAD_CORE, ['bench/sample-latency.ts', JSON.stringify(options)]);
  const figures = JSON.parse(await firstLine(child, 180_000)) as Omit<Sample, 'cpuMsPerRequest'>;
  const cpuAfter = cpuSeconds(server.process);
  await stop(child);
  return { ...figures, cpuMsPerRequest: (1000 * (cpuAfter - cpuBefore)) / (figures.requests + warmUp) };
}

async function runStoreGrowth({ quick }: SectionOptions): Promise<string> {
  const loadAtStart = loadavg()[0] ?? NaN;
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-store-growth-'));
  const server = await startGatehouseProcess('store growth', { workDir: work });
  const connection = await connectToEmbedded(server);
  try {
    const tag = randomUUID().slice(0, 8);
    const adminEmail = `admin-${tag}@example.com`;
    const personEmail = `person-${tag}@example.com`;
    await register(server.baseUrl, adminEmail, 'Bench Admin');
    await register(server.baseUrl, personEmail, 'Bench Person');
    const users = connection.collection<UserSeed>('users');
    await users.updateOne({ email: adminEmail }, { $set: { role: 'admin' } });
    const adminCookie = await signIn(server.baseUrl, adminEmail);
    const personCookie = await signIn(server.baseUrl, personEmail);
    const { user: person } = await getJson<{ user: { id: string } }>(server.baseUrl, '/api/auth/me', personCookie);

    const sessions = connection.collection<SessionDocument>(SESSIONS_COLLECTION);
    const template = await sessions.findOne({ 'session.userId': person.id });
    const accountTemplate = await users.findOne({ email: personEmail });
    if (!template?.lastModified || !accountTemplate) throw new Error('the person has no stored session or account');
    const idleMs = template.expires.getTime() - template.lastModified.getTime();
    // Sessions accumulate: each copy was last active a little after the one inserted before it, all
    // within the last half of the idle window (so live at the end).
    const firstActive = Date.now() - idleMs / 2;
    const step = idleMs / 2 / (SIZES.at(-1) ?? 1) / 2;
    let inserted = 0;
    /** A copy of the person's session for `owner`. */
    const sessionFor = (owner: { id: string; email: string; name: string }): SessionDocument => {
      const sid = randomBytes(24).toString('base64url');
      const lastModified = new Date(firstActive + inserted++ * step);
      return {
        _id: sid,
        handle: sessionHandle(sid),
        session: { ...template.session, userId: owner.id, user: { ...template.session.user, ...owner } as SessionDocument['session']['user'] },
        expires: new Date(lastModified.getTime() + idleMs),
        lastModified,
      };
    };
    await sessions.insertMany(Array.from({ length: PERSON_SESSIONS - 1 }, () => sessionFor({ id: person.id, email: personEmail, name: 'Bench Person' })));

    let seededAccounts = 0;
    /** Adds accounts and their sessions until the store holds `size` sessions. */
    const topUp = async (size: number): Promise<number> => {
      let stored = await sessions.countDocuments();
      while (stored < size) {
        const count = Math.min(BATCH, size - stored);
        const accounts = Array.from({ length: Math.ceil(count / SESSIONS_PER_ACCOUNT) }, (): UserSeed => {
          const { _id: _ignored, ...rest } = accountTemplate;
          const index = seededAccounts++;
          return { ...rest, _id: new mongoose.Types.ObjectId(), name: `Member ${index}`, email: seededEmail(index) };
        });
        await users.insertMany(accounts, { ordered: false });
        const docs = Array.from({ length: count }, (_, offset) => {
          const owner = accounts[Math.floor(offset / SESSIONS_PER_ACCOUNT)] as UserSeed;
          return sessionFor({ id: owner._id.toHexString(), email: owner.email, name: owner.name });
        });
        await sessions.insertMany(docs, { ordered: false });
        stored += count;
      }
      return sessions.countDocuments();
    };

    const domain = `@d${DOMAINS / 2}.example`;
    const scenarios: Scenario[] = [
      {
        name: 'admin "All sessions", first page',
        path: '/api/admin/sessions',
        as: 'admin',
        check: (body, stored) => {
          const { sessions: rows, total } = body as AdminSessionListResponse;
          if (rows.length !== 20 || total !== stored) throw new Error(`first page: ${rows.length} rows, total ${total} of ${stored}`);
        },
      },
      {
        name: 'admin, filtered by e-mail (one account)',
        path: `/api/admin/sessions?email=${encodeURIComponent(personEmail)}`,
        as: 'admin',
        check: (body) => {
          const { total } = body as AdminSessionListResponse;
          if (total !== PERSON_SESSIONS) throw new Error(`filter on one account: total ${total}`);
        },
      },
      {
        name: `admin, filtered by e-mail (1 % of accounts: "${domain}")`,
        path: `/api/admin/sessions?email=${encodeURIComponent(domain)}`,
        as: 'admin',
        check: (body) => {
          const { sessions: rows, total } = body as AdminSessionListResponse;
          if (rows.some((row) => !row.user?.email.endsWith(domain))) throw new Error('filter on a domain returned another domain');
          if (total === 0) throw new Error('filter on a domain matched nothing');
        },
      },
      {
        name: `GET /api/sessions (a person with ${PERSON_SESSIONS} sessions)`,
        path: '/api/sessions',
        as: 'person',
        check: (body) => {
          const { sessions: rows } = body as SessionListResponse;
          if (rows.length !== PERSON_SESSIONS) throw new Error(`own list: ${rows.length} rows`);
        },
      },
    ];

    const results = new Map<string, Map<number, Sample>>(scenarios.map((scenario) => [scenario.name, new Map()]));
    const sizes: number[] = [];
    for (const size of SIZES) {
      const started = Date.now();
      const stored = await topUp(size);
      log(`store growth: ${stored} sessions stored (${seededAccounts} seeded accounts) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      sizes.push(stored);
      for (const scenario of scenarios) {
        const cookie = scenario.as === 'admin' ? adminCookie : personCookie;
        scenario.check(await getJson(server.baseUrl, scenario.path, cookie), stored);
        const figures = await sample(server, scenario.path, cookie, quick);
        results.get(scenario.name)?.set(stored, figures);
        log(
          `store growth, ${stored} stored, ${scenario.name}: ${figures.requests} requests, p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms, server CPU ${figures.cpuMsPerRequest.toFixed(2)} ms/request`,
        );
      }
    }

    const largest = sizes.at(-1) ?? NaN;
    const adminAtLargest = results.get(scenarios[0]?.name ?? '')?.get(largest);
    const targets: Target[] = [
      {
        what: `admin "All sessions" first page, p99 at ${largest.toLocaleString('en-US')} stored sessions`,
        measured: adminAtLargest?.p99 ?? NaN,
        limit: ADMIN_PAGE_P99_LIMIT_MS,
        kind: 'max',
        unit: ' ms',
      },
    ];
    const header = sizes.map((size) => `${size.toLocaleString('en-US')} stored`);
    const lines = [
      `Cost as the store grows (one request at a time, ${requestsPerCell(quick)} requests per cell after a warm-up (at most ${quick ? 10 : 30} s), strict Gatehouse with its engine in the process on one core; about ${SESSIONS_PER_ACCOUNT} sessions per account; page size 20; load average ${fixed(loadAtStart, 1)} at the start, ${fixed(loadavg()[0] ?? NaN, 1)} at the end). Cells: p50 / p99 ms (server CPU ms per request):`,
      '',
      `| request | ${header.join(' | ')} |`,
      `|---|${sizes.map(() => '---:').join('|')}|`,
      ...scenarios.map((scenario) => {
        const cells = sizes.map((size) => {
          const figures = results.get(scenario.name)?.get(size);
          if (!figures) return 'n/a';
          // Cells cut short by the time limit say how many requests they hold.
          const short = figures.requests < requestsPerCell(quick) ? `, ${figures.requests} requests` : '';
          return `${fixed(figures.p50, 1)} / ${fixed(figures.p99, 1)} (${fixed(figures.cpuMsPerRequest, 1)}${short})`;
        });
        return `| ${scenario.name} | ${cells.join(' | ')} |`;
      }),
      '',
      ...targetTable(targets),
    ];
    return lines.join('\n');
  } finally {
    await connection.close();
    await stopGatehouseProcess(server);
    rmSync(work, { recursive: true, force: true });
  }
}

export const storeGrowth: BenchSection = { name: 'store growth', run: runStoreGrowth };

if (isEntryPoint(import.meta.url)) runAlone(storeGrowth);
