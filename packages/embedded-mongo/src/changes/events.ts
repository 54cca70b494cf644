/**
 * Change events in MongoDB 7.0's documented shapes (without `showExpandedEvents`):
 *
 *   insert        {_id, operationType, clusterTime, wallTime, fullDocument, ns, documentKey}
 *   update        {_id, operationType, clusterTime, wallTime, [fullDocument], ns, documentKey, updateDescription}
 *   replace       {_id, operationType, clusterTime, wallTime, fullDocument, ns, documentKey}
 *   delete        {_id, operationType, clusterTime, wallTime, ns, documentKey}
 *   drop          {_id, operationType, clusterTime, wallTime, ns: {db, coll}}
 *   rename        {_id, operationType, clusterTime, wallTime, ns, to: {db, coll}}
 *   dropDatabase  {_id, operationType, clusterTime, wallTime, ns: {db}}
 *   invalidate    {_id, operationType, clusterTime, wallTime}
 *
 * `fullDocument` of an update: `updateLookup` → the document as it is now (null once deleted);
 * `whenAvailable` / `required` → the post-image, kept when the collection has
 * `changeStreamPreAndPostImages` enabled (else null, or error 47 for `required`).
 * `fullDocumentBeforeChange` (update, replace, delete) likewise needs the pre-image.
 */
import type { Document } from 'bson';
import { MongoCommandError } from '../errors';
import { canonicalKey } from '../bson/keys';
import { cloneValue } from '../bson/values';
import type { Doc } from '../bson/paths';
import type { Engine } from '../storage/engine';
import type { ChangeEntry } from './history';
import { encodeToken, toTimestamp } from './tokens';
import { updateDescription } from './update-description';
import type { UpdateDescription } from './update-description';

export type FullDocumentMode = 'default' | 'updateLookup' | 'whenAvailable' | 'required';
export type BeforeChangeMode = 'off' | 'whenAvailable' | 'required';

export interface EventOptions {
  fullDocument: FullDocumentMode;
  fullDocumentBeforeChange: BeforeChangeMode;
}

/** What an update entry turns out to be (a pipeline update may have been logged as a replacement). */
function updateShape(e: ChangeEntry): UpdateDescription | undefined {
  if (e.cached === undefined) e.cached = { description: updateDescription(e.pre as Doc, e.post as Doc, e.applied, e.pipeline === true) };
  return (e.cached as { description: UpdateDescription | undefined }).description;
}

export function operationType(e: ChangeEntry): string {
  return e.kind === 'update' && updateShape(e) === undefined ? 'replace' : e.kind;
}

function describeForError(e: ChangeEntry, type: string): string {
  return `{operationType: "${type}", ns: {db: "${e.db}", coll: "${e.coll}"}, clusterTime: Timestamp(${e.ts.t}, ${e.ts.i})}`;
}

export function buildEvent(e: ChangeEntry, instance: string, options: EventOptions, engine: Engine): Document {
  const type = operationType(e);
  const head: Document = { _id: encodeToken(e.ts, 'event', instance), operationType: type, clusterTime: toTimestamp(e.ts), wallTime: e.wall };
  switch (e.kind) {
    case 'drop':
      return { ...head, ns: { db: e.db, coll: e.coll } };
    case 'rename':
      return { ...head, ns: { db: e.db, coll: e.coll }, to: { db: e.to?.db, coll: e.to?.coll } };
    case 'dropDatabase':
      return { ...head, ns: { db: e.db } };
    default:
      break;
  }
  const ev: Document = head;
  if (type === 'insert' || type === 'replace') ev.fullDocument = cloneValue(e.post);
  else if (type === 'update' && options.fullDocument !== 'default') ev.fullDocument = postImage(e, options.fullDocument, engine);
  if (type !== 'insert' && options.fullDocumentBeforeChange !== 'off') {
    if (!e.images && options.fullDocumentBeforeChange === 'required') {
      throw new MongoCommandError(
        47,
        `Change stream was configured to require a pre-image for all update, delete and replace events, but the pre-image was not found for event: ${describeForError(e, type)}`,
      );
    }
    ev.fullDocumentBeforeChange = e.images ? cloneValue(e.pre) : null;
  }
  ev.ns = { db: e.db, coll: e.coll };
  ev.documentKey = { _id: cloneValue(e.id) };
  if (type === 'update') ev.updateDescription = cloneValue(updateShape(e));
  return ev;
}

function postImage(e: ChangeEntry, mode: FullDocumentMode, engine: Engine): Doc | null {
  if (mode === 'updateLookup') {
    const current = engine.getCollection(e.db, e.coll)?.docs.get(canonicalKey(e.id));
    return current ? cloneValue(current) : null;
  }
  if (e.images) return cloneValue(e.post as Doc);
  if (mode === 'required') {
    throw new MongoCommandError(
      47,
      `Change stream was configured to require a post-image for all update events, but the post-image was not found for event: ${describeForError(e, 'update')}`,
    );
  }
  return null;
}

export function invalidateEvent(e: ChangeEntry, instance: string): Document {
  return { _id: encodeToken(e.ts, 'invalidate', instance), operationType: 'invalidate', clusterTime: toTimestamp(e.ts), wallTime: e.wall };
}
