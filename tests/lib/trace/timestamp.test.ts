import t from 'tap';
import { parseTimestamp } from '../../../lib/trace/timestamp.js';
import { Random } from '../../../lib/trace/random.js';

t.test('parses ISO timestamps to the same epoch milliseconds as Date.parse', async (t) => {
  const rng = new Random(42);
  for (let i = 0; i < 2000; i++) {
    const ms = Date.UTC(1990, 0, 1) + Math.floor(rng.next() * 60 * 365 * 86400e3);
    const iso = new Date(ms).toISOString();
    if (parseTimestamp(iso) !== ms) t.fail(`${iso}: ${parseTimestamp(iso)} != ${ms}`);
  }
  t.equal(parseTimestamp('2017-07-01T00:09:19.533Z'), Date.parse('2017-07-01T00:09:19.533Z'));
  t.equal(parseTimestamp('2017-07-01T00:09:19Z'), Date.parse('2017-07-01T00:09:19Z'), 'no fraction');
  t.equal(parseTimestamp('2017-07-01T02:09:19.5+02:00'), Date.parse('2017-07-01T00:09:19.500Z'), 'offset');
  t.equal(parseTimestamp('2016-02-29T12:00:00.000Z'), Date.parse('2016-02-29T12:00:00.000Z'), 'leap day');
  t.equal(
    parseTimestamp('2017-07-01T00:00:00.123456Z'),
    Date.parse('2017-07-01T00:00:00.123Z') + 0.456,
    'microseconds kept',
  );
});

t.test('rejects what is not a timestamp', async (t) => {
  for (const bad of [
    '',
    '2017-07-01',
    '2017-13-01T00:00:00Z',
    '2017-02-29T00:00:00Z',
    '2017-07-01T24:00:00Z',
    '2017-07-01T00:00:00',
    '2017-07-01T00:00:00.Z',
    'yesterday at noon xx',
    '2017-07-01T00:00:00Zjunk',
  ]) {
    t.ok(Number.isNaN(parseTimestamp(bad)), JSON.stringify(bad));
  }
});
