import t from 'tap';
import { isThresholdProblem, parseThreshold, type Threshold } from '../../../lib/thresholds/expression.js';

const parsed = (text: string): Threshold => {
  const p = parseThreshold(text);
  if (isThresholdProblem(p)) throw new Error(`${text}: ${p.message}`);
  return p;
};

t.test('the expressions of the issue parse to scope, metric, comparison and a value in base units', async (t) => {
  t.match(parsed('GET blob: p99 < 50ms'), {
    scope: { kind: 'class', name: 'GET blob' },
    metric: { kind: 'duration', of: 'latency', stat: 99 },
    comparison: '<',
    value: 50,
  });
  t.match(parsed('all: failed_rate < 0.1%'), { scope: { kind: 'all' }, metric: { kind: 'failed_rate' }, value: 0.001 });
  t.match(parsed('all: on_time > 99%'), { metric: { kind: 'on_time' }, comparison: '>', value: 0.99 });
  t.match(parsed('registry http://a: p999 < 1s'), {
    scope: { kind: 'registry', name: 'http://a' },
    metric: { stat: 99.9 },
    value: 1000,
  });
  t.match(parsed('PUT blob: throughput > 20MB/s'), { metric: { kind: 'throughput', per: 'bytes' }, value: 20e6 });
  t.match(parsed('all: throughput >= 150 req/s'), {
    metric: { kind: 'throughput', per: 'requests' },
    comparison: '>=',
    value: 150,
  });
});

t.test('percentiles, durations and scopes in their other spellings', async (t) => {
  t.equal((parsed('all: p9999 < 1s').metric as { stat: number }).stat, 99.99);
  t.equal((parsed('all: p(99.5) < 1s').metric as { stat: number }).stat, 99.5);
  t.equal((parsed('all: p95 < 1s').metric as { stat: number }).stat, 95);
  t.match(parsed('get BLOB: ttfb_p50 <= 800us'), {
    scope: { name: 'GET blob' },
    metric: { of: 'ttfb', stat: 50 },
    value: 0.8,
  });
  t.match(
    parsed('all: lateness_max < 20'),
    { metric: { of: 'lateness', stat: 'max' }, value: 20 },
    'a bare duration is ms',
  );
  t.match(parsed('all:p99<2m'), { value: 120_000 }, 'spaces are optional');
  t.match(
    parsed('registry 127.0.0.1:5000: mean < 5ms'),
    { scope: { kind: 'registry', name: 'http://127.0.0.1:5000' } },
    'registries are named by origin, as the summary names them',
  );
  t.match(parsed('size >=100MB: p90 < 10s'), { scope: { kind: 'size', name: '>=100MB' } });
  t.match(parsed('all: failed < 3'), { metric: { kind: 'failed' }, value: 3 });
});

t.test('what is not a threshold says why and what would be', async (t) => {
  const problem = (text: string) => {
    const p = parseThreshold(text);
    if (!isThresholdProblem(p)) throw new Error(`${text} parsed`);
    return p;
  };
  t.match(problem('p99 < 50ms'), {
    message: '"p99 < 50ms" is not a threshold',
    hint: /<scope>: <metric> <op> <value>/,
  });
  t.match(problem('GET blobs: p99 < 50ms'), { message: '"GET blobs" is not a scope', hint: /GET blob, GET manifest/ });
  t.match(problem('all: median < 5ms'), { message: '"median" is not a metric' });
  t.match(problem('all: latency < 5ms'), { message: '"latency" is not a metric', hint: /p50, p90/ });
  t.match(problem('all: p99 < fast'), { message: '"fast" is not a number', hint: /a duration/ });
  t.match(problem('all: p99 < 5h'), { message: '"h" is not a unit of time for p99' });
  t.match(problem('all: failed_rate < 5'), { message: /not a share/, hint: /percentage/ });
  t.match(problem('all: throughput > 20'), { message: /no throughput unit/, hint: /MB\/s/ });
  t.match(problem('GET blob: on_time > 99%'), { message: 'on_time is measured for the whole run only' });
  t.match(problem('registry http://a: failed_rate < 1%'), {
    message: 'registry scopes have latency only, not failed_rate',
  });
  t.match(problem('size 5MB: p99 < 1s'), { message: '"5MB" is not a size class' });
  t.match(problem('all: p(101) < 1s'), { message: /not a percentile/ });
});

t.test('impossible values are refused; micro is the micro sign or Greek mu', async (t) => {
  const problem = (text: string): string => {
    const p = parseThreshold(text);
    return isThresholdProblem(p) ? p.message : 'parsed';
  };
  t.match(problem('all: failed_rate < 150%'), /not a share/);
  t.match(problem('all: failed_rate < -1%'), /failed_rate cannot be negative/);
  t.match(problem('all: p99 < -5'), /p99 cannot be negative/);
  t.match(problem('all: p99 < 1e999'), /"1e999" is too large for p99/);
  t.match(problem('all: requests > -3'), /cannot be negative/);
  t.equal(parsed('all: p99 < 800\u00b5s').value, 0.8, 'micro sign');
  t.equal(parsed('all: p99 < 800\u03bcs').value, 0.8, 'Greek mu');
  t.equal(parsed('all: failed_rate <= 100%').value, 1);
});

t.test('parsing is linear in the expression, and an expression has a length limit', async (t) => {
  // Runs of whitespace and colons were quadratic for a backtracking pattern: parsing them is now one pass.
  for (const filler of [' ', ':', ': p', '\t']) {
    const long = `all${filler.repeat(400)}`;
    t.ok(isThresholdProblem(parseThreshold(long)), `${JSON.stringify(filler)} x 400: refused`);
  }
  const huge = parseThreshold(`all: p99 <${' '.repeat(300_000)}5ms`);
  t.match(huge, { message: /a threshold of 300,013 characters .* is longer than the 500 allowed/ });
  t.match(
    parsed(`all:${' '.repeat(40)}p99${' '.repeat(40)}<${' '.repeat(40)}5ms`),
    { value: 5 },
    'spaces inside the limit are fine',
  );
});

t.test('a registry named with credentials keeps its origin only', async (t) => {
  const p = parsed('registry http://alice:s3cret@127.0.0.1:5000: p99 < 1s');
  t.same(
    [p.scope, p.source],
    [{ kind: 'registry', name: 'http://127.0.0.1:5000' }, 'registry http://127.0.0.1:5000: p99 < 1s'],
  );
  const bad = parseThreshold('registry http://alice:s3cret@127.0.0.1:5000/x: p99 < 1s');
  t.ok(isThresholdProblem(bad) && !bad.message.includes('s3cret'), 'nor is the password in a message');
});
