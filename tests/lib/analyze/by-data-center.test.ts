import t from 'tap';
import { analyzeFile } from '../../../lib/analyze/pass.js';
import { TotalsByDataCenter } from '../../../lib/analyze/by-data-center.js';
import { AnalysisTotals } from '../../../lib/analyze/summary.js';
import { writeSynthTrace } from '../../../lib/trace/synth-files.js';

t.test('totals per data center, and overall over all of them, whatever order the data centers come in', async (t) => {
  const dir = t.testdir();
  const files = [
    ...(await writeSynthTrace(dir, { requests: 300, seed: 1, dataCenter: 'dal09' })),
    ...(await writeSynthTrace(dir, { requests: 200, seed: 2, dataCenter: 'fra02' })),
    ...(await writeSynthTrace(dir, { requests: 100, seed: 3, dataCenter: 'dal09', start: '2017-06-21T00:00:00.000Z' })),
  ];
  const partials = await Promise.all(files.map((f) => analyzeFile(f)));
  const totals = new TotalsByDataCenter();
  for (const p of partials) totals.add(p);
  const { analysis, dataCenters } = totals.result();
  const alone = (ps: typeof partials) => {
    const a = new AnalysisTotals();
    for (const p of ps) a.add(p);
    return a.result().analysis;
  };
  t.same(Object.keys(dataCenters), ['dal09', 'fra02']);
  t.same(dataCenters.dal09, alone([partials[0], partials[2]]));
  t.same(dataCenters.fra02, alone([partials[1]]));
  t.same(analysis, alone(partials), 'overall: every partial, the ones before the second data center included');
  t.equal(analysis.records, 600);
  const one = new TotalsByDataCenter();
  one.add(partials[0]);
  t.same(one.result().analysis, one.result().dataCenters.dal09, 'one data center: its totals are the overall ones');
});
