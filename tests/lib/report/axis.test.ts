import t from 'tap';
import { binCounts, fitAxis, formatBytes, formatMs } from '../../../lib/report/axis.js';

const labels = (spec: Parameters<typeof fitAxis>[0], values: number[]): string[] =>
  fitAxis(spec, values).ticks.map((k) => k.label);

t.test('log axes tick at 1-2-5 in the data’s units, never at values like 1.73 or 4.65', async (t) => {
  t.same(labels({ label: '', unit: 'ms', log: true }, [1.73, 4.65, 12.5, 80]), [
    '1 ms',
    '2 ms',
    '5 ms',
    '10 ms',
    '20 ms',
    '50 ms',
    '100 ms',
  ]);
  t.same(
    labels({ label: '', unit: 'ms', log: true }, [0.2, 300]),
    ['100 µs', '300 µs', '1 ms', '3 ms', '10 ms', '30 ms', '100 ms', '300 ms', '1 s'],
    'wider spans thin to 1-3',
  );
  t.same(
    labels({ label: '', unit: 'ms', log: true }, [0.2, 3000]),
    ['100 µs', '1 ms', '10 ms', '100 ms', '1 s', '10 s'],
    'and to powers of ten',
  );
  t.same(
    labels({ label: '', unit: 'bytes', log: true }, [1.1e4, 4.9e8]),
    ['10 kB', '100 kB', '1 MB', '10 MB', '100 MB', '1 GB'],
    'sizes read as bytes, not 1.1e+4',
  );
  t.same(labels({ label: '', unit: 'count', log: true }, [1, 4000]), [
    '1',
    '3',
    '10',
    '30',
    '100',
    '300',
    '1,000',
    '3,000',
    '10k',
  ]);
  t.same(labels({ label: '', unit: 'count', log: true }, [20, 40_000]), [
    '10',
    '30',
    '100',
    '300',
    '1,000',
    '3,000',
    '10k',
    '30k',
    '100k',
  ]);
  t.same(labels({ label: '', unit: 'count', log: true }, [20, 700]), ['10', '20', '50', '100', '200', '500', '1,000']);
});

t.test('linear axes: round steps from 0; shares in percent; elapsed time in the unit its span reads in', async (t) => {
  t.same(labels({ label: '', unit: 'share' }, [0.2, 0.97]), ['0%', '20%', '40%', '60%', '80%', '100%']);
  t.same(labels({ label: '', unit: 'count' }, [3, 97]), ['0', '20', '40', '60', '80', '100']);
  t.same(
    labels({ label: '', unit: 'elapsed' }, [0, 26 * 60]),
    ['0 min', '5 min', '10 min', '15 min', '20 min', '25 min', '30 min'],
    'a 26-minute trace in minutes',
  );
  t.same(labels({ label: '', unit: 'elapsed' }, [0, 45]), [
    '0 s',
    '5 s',
    '10 s',
    '15 s',
    '20 s',
    '25 s',
    '30 s',
    '35 s',
    '40 s',
    '45 s',
  ]);
  t.same(
    labels({ label: '', unit: 'elapsed' }, [0, 3 * 86_400]),
    ['0 h', '10 h', '20 h', '30 h', '40 h', '50 h', '60 h', '70 h', '80 h'],
    'days in hours',
  );
});

t.test('the percentile axis is the 1/(1-p) scale: 90%, 99%, 99.9% evenly spaced', async (t) => {
  t.same(
    fitAxis({ label: '', unit: 'percentile' }, [0, 0.5]).ticks.map((k) => k.label),
    ['0%', '90%', '99%'],
    'at least to 99%',
  );
  const axis = fitAxis({ label: '', unit: 'percentile' }, [0, 0.5, 0.999]);
  t.same(
    axis.ticks.map((k) => k.label),
    ['0%', '90%', '99%', '99.9%'],
  );
  const at = axis.ticks.map((k) => axis.position(k.value));
  t.ok(
    Math.abs(at[2] - at[1] - (at[3] - at[2])) < 1e-9 && Math.abs(at[1] - at[0] - (at[2] - at[1])) < 1e-9,
    'one step per nine',
  );
  t.equal(axis.position(0.999), 1, 'the top percentile of the data at the end of the axis');
});

t.test('formats and bins', async (t) => {
  t.same([formatMs(0.25), formatMs(12.5), formatMs(1500), formatMs(180_000)], ['250 µs', '12.5 ms', '1.5 s', '3 min']);
  t.same([formatBytes(512), formatBytes(11_000), formatBytes(4.9e8)], ['512 B', '11 kB', '490 MB']);
  const perSecond: [number, number][] = Array.from({ length: 26 * 60 }, (_, s) => [s, 2]);
  const binned = binCounts(perSecond);
  t.equal(binned.per, 'minute', 'a 26-minute trace is binned by the minute, not shown as one dot per hour');
  t.equal(binned.points.length, 26);
  t.same(binned.points[3], [180, 120]);
  t.equal(binCounts(perSecond.slice(0, 600)).per, 'second');
  t.equal(
    binCounts([
      [0, 1],
      [3 * 86_400, 1],
    ]).per,
    'hour',
  );
});
