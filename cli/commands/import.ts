import { Command, Option } from 'clipanion';
import { writeTable } from '../../lib/trace/binary.js';
import { writeOracleGeneral } from '../../lib/trace/oracle-general.js';
import { loadTraceParallel } from '../../actors/import-master.js';
import { selectRequests } from '../../lib/trace/select.js';
import { Progress, formatBytes } from '../../lib/term/progress.js';
import { bytesPerRequest } from '../../lib/trace/table.js';
import { DrtpError } from '../../lib/errors.js';
import { TraceCommand } from '../base.js';
import { checkOutputs } from '../../lib/fsutil/output-paths.js';
import { describeRead } from '../report.js';

export class ImportCommand extends TraceCommand {
  static paths = [['import']];
  static usage = Command.Usage({
    category: 'Traces',
    description: 'Convert trace files into one compact .drtp table',
    details: `
      Reads TRACES (JSON arrays, NDJSON, .gz of either, .drtp, directories of them, or .tar/.tar.gz
      archives read as they stream, never unpacked) as one trace in timestamp order and
      writes it to --out as a .drtp table: typed-array columns plus interned ids, loaded back at memory
      speed by every command that takes traces. Every well-formed record is kept (HEAD and failed
      requests too); malformed ones are counted and the first few reported as \`file:offset: reason\`,
      or, with --strict, stop the import with E_TRACE_PARSE.

      With --format oracleGeneral, writes the trace's layer GETs as libCacheSim's oracleGeneral binary
      records instead (time, object id, size, position of the object's next request), uncompressed, for
      libCacheSim's tools; drtp reads such files (and their .zst form) as traces too.
    `,
    examples: [
      ['Import a day of dal09', '$0 import traces/prod-dal09-logstash-2017.06.20-*.json --out dal09-0620.drtp'],
      [
        'Hand the layer GETs to libCacheSim',
        '$0 import traces/dal09/ --format oracleGeneral --out dal09.oracleGeneral',
      ],
    ],
  });

  out = Option.String('--out', {
    required: true,
    description: 'The file to write: a .drtp table, or with --format oracleGeneral an oracleGeneral trace',
  });
  format = Option.String('--format', 'drtp', { description: 'drtp (default) or oracleGeneral' });
  strict = Option.Boolean('--strict', false, { description: 'Stop at the first malformed record' });
  traces = Option.Rest({ required: 1, name: 'TRACES' });

  async run(): Promise<number> {
    const oracle = this.format.toLowerCase() === 'oraclegeneral';
    if (!oracle && this.format !== 'drtp')
      throw new DrtpError('E_USAGE', `--format must be drtp or oracleGeneral, not "${this.format}"`);
    if (!oracle && !this.out.endsWith('.drtp'))
      throw new DrtpError('E_USAGE', `--out must name a .drtp file, not "${this.out}"`);
    if (oracle && this.out.endsWith('.zst'))
      throw new DrtpError(
        'E_USAGE',
        `drtp writes oracleGeneral uncompressed: name --out without .zst and compress it with zstd`,
      );
    await checkOutputs(
      this.traces.map((path) => ({ role: 'a trace', path })),
      [{ role: '--out', path: this.out }],
    );
    const progress = new Progress(this.context.stderr, 'import', { unit: 'MB', format: (n) => (n / 1e6).toFixed(1) });
    // On a terminal: MB read of the total, rate, ETA, and inputs done.
    let files = '';
    const { table, stats } = await loadTraceParallel(this.traces, {
      strict: this.strict,
      exclude: [this.out],
      onProgress: (done, total) => progress.update(done, total, files),
      onFile: (done, total) => (files = `${done}/${total} files`),
    });
    progress.stop();
    const { counts, invalidUris } = selectRequests(table);
    if (oracle) {
      const written = await writeOracleGeneral(this.out, table);
      this.context.stdout.write(describeRead({ stats, counts, invalidUris }, this.verbose));
      const clamped =
        written.clampedSizes === 0 ? '' : ` (${written.clampedSizes} sizes over 4 GiB written as 4 GiB - 1)`;
      this.context.stdout.write(
        `wrote ${this.out}: ${written.records.toLocaleString('en-US')} layer GETs as oracleGeneral records${clamped}\n`,
      );
      return 0;
    }
    await writeTable(this.out, table, { read: stats, sources: this.traces });
    this.context.stdout.write(describeRead({ stats, counts, invalidUris }, this.verbose));
    this.context.stdout.write(
      `wrote ${this.out}: ${table.length.toLocaleString('en-US')} requests, ${formatBytes(table.length * bytesPerRequest())} of columns\n`,
    );
    return 0;
  }
}
