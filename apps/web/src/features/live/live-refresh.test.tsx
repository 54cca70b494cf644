import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor } from '@testing-library/react';
import { renderApp } from '../../test/render-app';
import { FakeEventSource, json, stubApi } from '../../test/fake-api';
import { activityList, currentSession, meResponse, sessionList } from '../../test/fixtures';
import { DashboardPage } from '../../app/pages';

beforeAll(() => DashboardPage.preload());

beforeEach(() => {
  FakeEventSource.install();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const answerLater = (body: unknown, log: string[], name: string) => async () => {
  log.push(`${name} sent`);
  await new Promise((resolve) => setTimeout(resolve, 20));
  log.push(`${name} answered`);
  return json(body);
};

describe('what the live stream asks to fetch again', () => {
  it('is fetched one batch after another, "who is signed in" first and alone, so a new session id reaches every later request', async () => {
    const log: string[] = [];
    let isLogging = false;
    const logged = (body: unknown, name: string) => (isLogging ? answerLater(body, log, name) : () => json(body));
    stubApi({
      'GET /api/auth/me': () => logged(meResponse(), 'me')(),
      'GET /api/sessions': () => logged(sessionList(), 'sessions')(),
      'GET /api/sessions/current': () => logged(currentSession(), 'current')(),
      'GET /api/activity': () => logged(activityList(), 'activity')(),
    });
    renderApp('/');
    await screen.findByText('This device');
    const stream = await waitFor(() => FakeEventSource.latest());

    isLogging = true;
    act(() => {
      stream.emit('sessions_changed', { type: 'sessions_changed' });
      stream.emit('activity', { type: 'activity' });
      stream.emit('sessions_changed', { type: 'sessions_changed' });
    });

    await waitFor(() => expect(log.filter((entry) => entry === 'activity answered')).toHaveLength(1));
    await waitFor(() => expect(log.filter((entry) => entry === 'me answered')).toHaveLength(2));
    // Nothing is sent while "me" is on its way, and each batch starts with nothing else in flight.
    const inFlightBefore = (index: number) =>
      log.slice(0, index).filter((entry) => entry.endsWith('sent')).length - log.slice(0, index).filter((entry) => entry.endsWith('answered')).length;
    expect(log.slice(0, 2)).toEqual(['me sent', 'me answered']);
    expect(log.slice(2, 4).sort()).toEqual(['current sent', 'sessions sent']);
    const activitySent = log.indexOf('activity sent');
    expect(inFlightBefore(activitySent)).toBe(0);
    expect(log.slice(0, activitySent)).toEqual(expect.arrayContaining(['sessions answered', 'current answered']));
    const secondMe = log.lastIndexOf('me sent');
    expect(secondMe).toBeGreaterThan(log.indexOf('activity answered'));
    expect(inFlightBefore(secondMe)).toBe(0);
  });
});
