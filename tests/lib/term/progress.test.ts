import t from 'tap';
import { Writable } from 'node:stream';
import { Progress } from '../../../lib/term/progress.js';

/** A stream that keeps what is written, a TTY or not. */
function sink(tty: boolean): Writable & { isTTY?: boolean; text: string } {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stream.text += chunk.toString();
      done();
    },
  }) as Writable & { isTTY?: boolean; text: string };
  stream.text = '';
  if (tty) stream.isTTY = true;
  return stream;
}

t.test('piped: nothing is drawn, and callers can tell', async (t) => {
  const out = sink(false);
  const progress = new Progress(out, 'run', { unit: 'requests' });
  t.equal(progress.live, false);
  progress.update(5, 10);
  progress.stop();
  t.equal(out.text, '');
});

t.test(
  'on a TTY: a line with rate, share and ETA, redrawn in place at most every interval, cleared at the end',
  async (t) => {
    const out = sink(true);
    let now = 0;
    const progress = new Progress(out, 'run', { unit: 'requests', now: () => now, intervalMs: 100 });
    t.equal(progress.live, true);
    now = 2000;
    progress.update(500, 2000, '0 failed');
    t.equal(out.text, '\r\x1b[Krun: 500 / 2,000 requests, 250 requests/s, 25.0%, ETA 6s, 0 failed');
    now = 2050;
    progress.update(510, 2000);
    t.equal(out.text.split('\r').length, 2, 'not redrawn within the interval');
    now = 2200;
    progress.update(550, 2000);
    t.equal(out.text.split('\r').length, 3, 'redrawn after it');
    progress.stop();
    t.ok(out.text.endsWith('\r\x1b[K'), 'the line is cleared');
  },
);
