import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, isMap, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { DrtpError } from '../errors.js';
import type { Config, ConfigProblem, RawConfig } from './types.js';
import { DEFAULT_LATENCY, type LatencyModel } from '../contract/settings.js';
import { resolveModel } from '../simulation/model-name.js';
import { schemaProblems, unescapePointer } from './validate.js';
import { registryOrigin } from '../registry/endpoint.js';
import { resolveThresholds, thresholdProblems } from './thresholds.js';

/** Raised for an invalid configuration; `problems` holds every error found, not only the first. */
export class ConfigError extends DrtpError {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      'E_CONFIG',
      `${file}: invalid configuration\n${problems.map((p) => `  ${formatProblem(file, p)}`).join('\n')}`,
      {
        file,
        ...(problems[0]?.path === undefined ? {} : { path: problems[0].path }),
      },
    );
  }
}

/** `file:line: /path: message (hint)`, the form every configuration problem is printed in. */
export function formatProblem(file: string, p: ConfigProblem): string {
  const where = p.line === undefined ? file : `${file}:${p.line}`;
  return `${where}: ${p.path === '' ? '(top level)' : p.path}: ${p.message}${p.hint === undefined ? '' : ` (${p.hint})`}`;
}

export interface CheckedConfig {
  raw: RawConfig;
  problems: ConfigProblem[];
}

/** Reads and checks a configuration file (YAML or JSON) without resolving it. */
export async function checkConfigFile(file: string): Promise<CheckedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new DrtpError('E_CONFIG', `cannot read configuration ${file}: ${(err as Error).message}`, {
      file,
      cause: err,
    });
  }
  const checked = checkConfigText(text);
  if (checked.problems.length === 0) checked.problems.push(...modelProblems(checked.raw, dirname(file)));
  return checked;
}

/** A `simulate.name` that names no built-in and no file there (relative to the configuration). */
function modelProblems(raw: RawConfig, baseDir: string): ConfigProblem[] {
  const name = raw.simulate?.name;
  const names = name === undefined ? [] : typeof name === 'string' ? [name] : name;
  return names.flatMap((n, k) => {
    const ref = resolveModel(n, baseDir);
    return ref.kind === 'problem'
      ? [{ path: typeof name === 'string' ? '/simulate/name' : `/simulate/name/${k}`, message: ref.message }]
      : [];
  });
}

export function checkConfigText(text: string): CheckedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      raw: {} as RawConfig,
      problems: doc.errors.map((e) => ({
        path: '',
        line: e.linePos?.[0].line,
        message: `not valid YAML/JSON: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const data: unknown = doc.toJS() ?? {};
  // The semantic rules read the shape the schema promises: only for data that has it.
  const shapeProblems = schemaProblems(data);
  const problems = shapeProblems.length > 0 ? shapeProblems : semanticProblems(data as RawConfig);
  for (const p of problems) {
    const line = lineOf(doc, lines, p.path);
    if (line !== undefined) p.line = line;
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { raw: data as RawConfig, problems };
}

/** Rules the schema cannot say. */
function semanticProblems(raw: RawConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const limit = raw.trace?.limit;
  if (limit?.type === 'requests' && typeof limit.amount === 'number' && !Number.isInteger(limit.amount)) {
    problems.push({ path: '/trace/limit/amount', message: `must be a whole number of requests, not ${limit.amount}` });
  }
  raw.registry?.forEach((r, i) => {
    const address = registryOrigin(typeof r === 'string' ? r : r.url);
    if ('problem' in address)
      problems.push({
        path: typeof r === 'string' ? `/registry/${i}` : `/registry/${i}/url`,
        message: address.problem,
      });
  });
  problems.push(...thresholdProblems(raw.thresholds));
  return problems;
}

/** Loads, validates and resolves a configuration; throws ConfigError listing every problem. */
export async function loadConfig(file: string): Promise<Config> {
  const { raw, problems } = await checkConfigFile(file);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return resolveConfig(raw, resolve(file));
}

/** Applies defaults and makes paths absolute (relative to the configuration file's directory). */
export function resolveConfig(raw: RawConfig, file: string): Config {
  const base = dirname(file);
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const trace = raw.trace;
  const location = trace?.location === undefined ? base : at(trace.location);
  return {
    file,
    clientInfo: {
      clientList: raw.client_info?.client_list ?? [],
      threads: raw.client_info?.threads ?? availableParallelism(),
      wait: raw.client_info?.wait ?? false,
      route: raw.client_info?.route ?? true,
      speed: raw.client_info?.speed ?? 1,
      inFlight: raw.client_info?.in_flight ?? 3,
      lateMs: raw.client_info?.late_ms ?? 10,
      timeoutMs: raw.client_info?.timeout_ms ?? 30_000,
      ...(raw.client_info?.deadline_ms === undefined ? {} : { deadlineMs: raw.client_info.deadline_ms }),
      verifyDigests: raw.client_info?.verify_digests ?? false,
      checkSizes: raw.client_info?.check_sizes ?? true,
      protocol: raw.client_info?.protocol ?? 'auto',
      userAgent: raw.client_info?.user_agent ?? 'traced',
    },
    verbose: raw.verbose ?? false,
    trace: {
      files: (trace?.traces ?? []).map((t) => (isAbsolute(t) ? t : resolve(location, t))),
      limit: trace?.limit,
      output: at(trace?.output ?? 'output.json'),
      includeFailed: trace?.include_failed,
      strict: trace?.strict ?? false,
      methods: trace?.methods ?? ['GET', 'PUT'],
    },
    registries: raw.registry ?? [],
    registrySelection: raw.registry_selection ?? 'random',
    seed: raw.seed ?? 1,
    thresholds: resolveThresholds(raw.thresholds),
    warmup: {
      output: raw.warmup?.output === undefined ? undefined : at(raw.warmup.output),
      threads: raw.warmup?.threads ?? 1,
      random: raw.warmup?.random ?? false,
      registries: raw.warmup?.registries ?? 'first',
      manifests: raw.warmup?.manifests ?? 'blob',
    },
    simulate:
      raw.simulate === undefined
        ? undefined
        : {
            names:
              raw.simulate.name === undefined
                ? []
                : typeof raw.simulate.name === 'string'
                  ? [raw.simulate.name]
                  : raw.simulate.name,
            python: raw.simulate.python,
            args: raw.simulate.args,
            sweep: raw.simulate.sweep ?? {},
            latency: raw.simulate.latency === undefined ? undefined : resolveLatency(raw.simulate.latency),
            mrc:
              raw.simulate.mrc === undefined
                ? undefined
                : {
                    rate: raw.simulate.mrc.rate ?? 1,
                    sizes: raw.simulate.mrc.sizes_gb?.map((gb) => gb * 1e9),
                    points: raw.simulate.mrc.points ?? 100,
                  },
          },
  };
}

function resolveLatency(raw: NonNullable<NonNullable<RawConfig['simulate']>['latency']>): LatencyModel {
  const tier = (name: keyof LatencyModel): LatencyModel[keyof LatencyModel] => ({
    ...DEFAULT_LATENCY[name],
    ...raw[name],
  });
  return { memory: tier('memory'), fs: tier('fs'), backend: tier('backend') };
}

/** The 1-based line of the node at a JSON pointer, or of its nearest ancestor that exists. */
function lineOf(doc: Document, lines: LineCounter, pointer: string): number | undefined {
  const segments = pointer.split('/').slice(1).map(unescapePointer);
  let node: unknown = doc.contents;
  let line: number | undefined = rangeLine(node, lines);
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => String((item.key as { value?: unknown } | null)?.value ?? item.key) === segment,
      );
      if (pair === undefined) break;
      line = rangeLine(pair.key, lines) ?? line;
      node = pair.value;
      // A block mapping or list starts on the line after its key: the key's line reads better.
      if (!isMap(node) && !isSeq(node)) line = rangeLine(node, lines) ?? line;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
      if (node === undefined) break;
      line = rangeLine(node, lines) ?? line;
    } else break;
  }
  return line;
}

function rangeLine(node: unknown, lines: LineCounter): number | undefined {
  const range = (node as Node | null)?.range;
  return range === undefined || range === null ? undefined : lines.linePos(range[0]).line;
}
