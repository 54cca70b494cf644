import { describe, expect, it } from 'vitest';
import { Binary } from 'mongodb';
import type { Document } from 'mongodb';
import { serverErrorCode, useDatabase } from './server';

// $listLocalSessions lists the logical sessions this server has seen (every command carrying an
// lsid creates or refreshes one), as the driver specifications' session tests read them.

const mongo = useDatabase('local_sessions');

const listed = async (spec: Document = {}): Promise<Document[]> =>
  mongo.client
    .db('admin')
    .aggregate([{ $listLocalSessions: spec }])
    .toArray();

const hex = (id: unknown): string => Buffer.from((id as Binary).buffer).toString('hex');

describe('$listLocalSessions', () => {
  it('lists a session once a command used it, with its uid digest and time of last use', async () => {
    const session = mongo.client.startSession();
    try {
      const before = new Date(Date.now() - 1000);
      await mongo.db.collection('things').insertOne({ x: 1 }, { session });
      const id = hex(session.id?.id);
      const mine = (await listed()).find((s) => hex((s._id as Document).id) === id);
      expect(mine).toBeDefined();
      expect((mine?._id as Document).uid).toBeInstanceOf(Binary);
      expect(((mine?._id as Document).uid as Binary).buffer.length).toBe(32);
      expect(mine?.lastUse).toBeInstanceOf(Date);
      expect((mine?.lastUse as Date).getTime()).toBeGreaterThanOrEqual(before.getTime());
      expect((await listed({ allUsers: true })).some((s) => hex((s._id as Document).id) === id)).toBe(true);
    } finally {
      await session.endSession();
    }
  });

  it('startSession hands out a session id (a UUID) that is then listed', async () => {
    const reply = await mongo.client.db('admin').command({ startSession: 1 });
    expect(reply.timeoutMinutes).toBe(30);
    const id = (reply.id as Document).id as Binary;
    expect(id.sub_type).toBe(Binary.SUBTYPE_UUID);
    expect((await listed()).some((s) => hex((s._id as Document).id) === hex(id))).toBe(true);
  });

  it('runs as the first stage of {aggregate: 1}; later stages see its documents', async () => {
    const session = mongo.client.startSession();
    try {
      await mongo.db.command({ ping: 1 }, { session });
      const id = session.id?.id as Binary;
      const matched = await mongo.client
        .db('admin')
        .aggregate([{ $listLocalSessions: {} }, { $match: { '_id.id': id } }, { $project: { _id: 0, found: { $literal: true } } }])
        .toArray();
      expect(matched).toEqual([{ found: true }]);
      expect(
        await serverErrorCode(
          mongo.db
            .collection('things')
            .aggregate([{ $listLocalSessions: {} }])
            .toArray(),
        ),
      ).toBeDefined();
      expect(
        await serverErrorCode(
          mongo.client
            .db('admin')
            .aggregate([{ $match: {} }, { $listLocalSessions: {} }])
            .toArray(),
        ),
      ).toBe(40602);
    } finally {
      await session.endSession();
    }
  });
});
