/**
 * The load generator, run as its own process (pinned to its own core by run.ts):
 * `tsx bench/load.ts '<autocannon options as JSON>'` prints autocannon's result as one JSON line.
 */
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2] ?? '{}') as autocannon.Options;
const result = await autocannon(options);
process.stdout.write(`${JSON.stringify(result)}\n`);
