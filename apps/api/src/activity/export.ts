import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import { ACTIVITY_EXPORT_COLUMNS } from '@gatehouse/types/activity';
import type { ActivityExportEntry, ActivityExportFormat } from '@gatehouse/types/activity';

const CONTENT_TYPES: Record<ActivityExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

type Cell = string | number | boolean | null;

/** Nested values (device, factors) as JSON text in one cell; absent ones empty. */
function toRow(entry: ActivityExportEntry): Record<(typeof ACTIVITY_EXPORT_COLUMNS)[number], Cell> {
  const cell = (value: unknown): Cell =>
    value === undefined || value === null ? null : typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean);
  return Object.fromEntries(ACTIVITY_EXPORT_COLUMNS.map((column) => [column, cell(entry[column])])) as Record<(typeof ACTIVITY_EXPORT_COLUMNS)[number], Cell>;
}

async function* ndjsonLines(entries: AsyncIterable<ActivityExportEntry>): AsyncGenerator<string> {
  for await (const entry of entries) yield `${JSON.stringify(entry)}\n`;
}

const isClientGone = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';

/**
 * Streams an export as it is read: `pipeline` pulls the next entry only when the response has room
 * (backpressure), so memory stays flat whatever the trail's size, and a client that goes away closes the
 * database cursor. CSV cells starting with = + - @ (or a tab or carriage return) get a leading quote so a
 * spreadsheet shows them as text instead of running them as formulas.
 */
export async function sendActivityExport(
  res: Response,
  { format, filename, entries }: { format: ActivityExportFormat; filename: string; entries: AsyncGenerator<ActivityExportEntry> },
): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', CONTENT_TYPES[format]);
  res.setHeader('Content-Disposition', `attachment; filename="${filename}.${format}"`);
  const source =
    format === 'ndjson'
      ? [Readable.from(ndjsonLines(entries))]
      : [
          Readable.from(
            (async function* rows() {
              for await (const entry of entries) yield toRow(entry);
            })(),
          ),
          stringify({ header: true, columns: [...ACTIVITY_EXPORT_COLUMNS], escape_formulas: true, cast: { boolean: (value) => String(value) } }),
        ];
  try {
    await pipeline([...source, res]);
  } catch (error) {
    if (isClientGone(error)) return;
    throw error;
  }
}
