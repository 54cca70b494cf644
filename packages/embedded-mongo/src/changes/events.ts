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
function updateShape(entry: ChangeEntry): UpdateDescription | undefined {
  if (entry.cached === undefined)
    entry.cached = { description: updateDescription(entry.pre as Doc, entry.post as Doc, entry.applied, entry.pipeline === true) };
  return (entry.cached as { description: UpdateDescription | undefined }).description;
}

export function operationType(entry: ChangeEntry): string {
  return entry.kind === 'update' && updateShape(entry) === undefined ? 'replace' : entry.kind;
}

function describeForError(entry: ChangeEntry, type: string): string {
  return `{operationType: "${type}", ns: {db: "${entry.db}", coll: "${entry.coll}"}, clusterTime: Timestamp(${entry.ts.t}, ${entry.ts.i})}`;
}

export function buildEvent(entry: ChangeEntry, instance: string, options: EventOptions, engine: Engine): Document {
  const type = operationType(entry);
  const head: Document = { _id: encodeToken(entry.ts, 'event', instance), operationType: type, clusterTime: toTimestamp(entry.ts), wallTime: entry.wall };
  switch (entry.kind) {
    case 'drop':
      return { ...head, ns: { db: entry.db, coll: entry.coll } };
    case 'rename':
      return { ...head, ns: { db: entry.db, coll: entry.coll }, to: { db: entry.to?.db, coll: entry.to?.coll } };
    case 'dropDatabase':
      return { ...head, ns: { db: entry.db } };
    default:
      break;
  }
  const event: Document = head;
  if (type === 'insert' || type === 'replace') event.fullDocument = cloneValue(entry.post);
  else if (type === 'update' && options.fullDocument !== 'default') event.fullDocument = postImage(entry, options.fullDocument, engine);
  if (type !== 'insert' && options.fullDocumentBeforeChange !== 'off') {
    if (!entry.images && options.fullDocumentBeforeChange === 'required') {
      throw new MongoCommandError(
        47,
        `Change stream was configured to require a pre-image for all update, delete and replace events, but the pre-image was not found for event: ${describeForError(entry, type)}`,
      );
    }
    event.fullDocumentBeforeChange = entry.images ? cloneValue(entry.pre) : null;
  }
  event.ns = { db: entry.db, coll: entry.coll };
  event.documentKey = { _id: cloneValue(entry.id) };
  if (type === 'update') event.updateDescription = cloneValue(updateShape(entry));
  return event;
}

function postImage(entry: ChangeEntry, mode: FullDocumentMode, engine: Engine): Doc | null {
  if (mode === 'updateLookup') {
    const current = engine.getCollection(entry.db, entry.coll)?.docs.get(canonicalKey(entry.id));
    return current ? cloneValue(current) : null;
  }
  if (entry.images) return cloneValue(entry.post as Doc);
  if (mode === 'required') {
    throw new MongoCommandError(
      47,
      `Change stream was configured to require a post-image for all update events, but the post-image was not found for event: ${describeForError(entry, 'update')}`,
    );
  }
  return null;
}

export function invalidateEvent(entry: ChangeEntry, instance: string): Document {
  return { _id: encodeToken(entry.ts, 'invalidate', instance), operationType: 'invalidate', clusterTime: toTimestamp(entry.ts), wallTime: entry.wall };
}
