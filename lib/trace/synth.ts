import { MinHeap } from '../min-heap.js';
import { Random, Zipf } from './random.js';

/**
 * Synthetic traces in the IBM format (Anwar et al., FAST'18): same fields, URI shape, 8-hex anonymized
 * ids, docker user agents and ISO timestamps with milliseconds. Byte-identical for the same options.
 *
 * The workload model, with the figures taken (approximately) from the paper and listed in SYNTH_FIGURES:
 * clients pull images as a manifest GET followed by GETs of the layers they do not have yet, three at a
 * time as docker does; pushes are a HEAD + PUT per new layer followed by a manifest PUT; repository and
 * client popularity are Zipf-like; layer sizes are a heavy-tailed log-normal mixture, with the tiny
 * layers of the 2017 registries (the 32-byte empty layer, layers under 1 KB); now and then a fleet of
 * clients pulls one image in the same millisecond (the real traces' bursts); a few requests
 * fail (404, 401). Records are written in completion order (timestamp + duration), so a file is not in
 * timestamp order, like the real logs.
 */
export interface SynthOptions {
  /** Records to write in all. */
  requests: number;
  seed: number;
  /** Distinct clients (`http.request.remoteaddr`). */
  clients?: number;
  /** Distinct repositories. */
  repos?: number;
  /** Files to split the trace into, consecutive in time. */
  files?: number;
  /** Mean requests per second. */
  rate?: number;
  /** Largest layer, in bytes: keeps demo and test traces small. */
  maxLayerBytes?: number;
  /** Data center in the file names (`prod-<dc>-logstash-...`). */
  dataCenter?: string;
  /** ISO time of the first request. */
  start?: string;
}

export const SYNTH_FIGURES = {
  /** Share of sessions that pull an image, push one, or ping `v2/`. */
  sessions: { pull: 0.92, push: 0.05, ping: 0.03 },
  /** Share of pulls that fail: unknown tag (404) and unauthorized (401). */
  pullFailures: { notFound: 0.03, unauthorized: 0.01 },
  /** Layer size mixture: [weight, median bytes, log-space sigma]. ~60% of layers < 1 MB, ~85% < 10 MB. */
  layerSizes: [
    [0.55, 60e3, 1.5],
    [0.35, 4e6, 1.2],
    [0.1, 60e6, 1.0],
  ] as const,
  /** Zipf exponents of repository and client popularity. */
  repoZipf: 1.1,
  clientZipf: 0.8,
  /** Layers per image: 1 + geometric with this mean. */
  meanExtraLayers: 5,
  /** Docker pulls this many layers at a time. */
  parallelPulls: 3,
  /** Share of an image's layers taken from a small pool of base layers shared by all repositories. */
  sharedBaseLayers: 0.3,
  /**
   * Share of images that hold the 32-byte empty layer (a gzip of an empty tar), one id across the
   * trace as its digest was: schema-1 images carried it for every metadata-only Dockerfile step.
   */
  emptyLayerImages: 0.4,
  /** Share of new layers that are tiny (a file or two, compressed): log-uniform from 29 bytes to 1 KB. */
  tinyLayers: { share: 0.05, min: 29, max: 1024 },
  /**
   * Share of sessions that are fleet pulls: `min` to `max` clients pull one image in the same millisecond
   * (a deployment rolling out over a cluster), the bursts of the real traces: dozens of manifest GETs
   * within a millisecond, then their layer GETs at a few hundred a second.
   */
  fleetPulls: { share: 0.02, min: 10, max: 60 },
} as const;

/** Docker's empty layer (`a3ed95ca...`): a gzip-compressed tar with no member. */
export const EMPTY_LAYER_BYTES = 32;

const USER_AGENTS = [
  'docker/1.12.6 go/go1.6.4 git-commit/78d1802 kernel/4.4.0-93-generic os/linux arch/amd64 UpstreamClient(Docker-Client/1.12.6 \\\\(linux\\\\))',
  'docker/17.03.1-ce go/go1.7.5 git-commit/c6d412e kernel/4.9.27-moby os/linux arch/amd64 UpstreamClient(Docker-Client/17.03.1-ce \\\\(darwin\\\\))',
  'docker/17.06.0-ce go/go1.8.3 git-commit/02c1d87 kernel/3.10.0-514.el7.x86_64 os/linux arch/amd64 UpstreamClient(Docker-Client/17.06.0-ce \\\\(linux\\\\))',
  'docker/1.13.1 go/go1.7.5 git-commit/092cba3 kernel/4.4.0-87-generic os/linux arch/amd64 UpstreamClient(Docker-Client/1.13.1 \\\\(linux\\\\))',
];

interface Layer {
  id: string;
  size: number;
}

interface Image {
  tag: string;
  layers: Layer[];
  manifestSize: number;
}

interface Repo {
  name: string;
  images: Image[];
}

interface Pending {
  /** Completion time (timestamp + duration), the order records are logged in. */
  done: number;
  seq: number;
  text: string;
}

export function defaultClients(requests: number): number {
  return Math.max(4, Math.round(requests / 50));
}

export function defaultRepos(requests: number): number {
  return Math.max(8, Math.round(requests / 40));
}

/** The file names `synth` writes for these options, in time order. */
export function synthFileNames(options: SynthOptions): string[] {
  const files = options.files ?? 1;
  const day = (options.start ?? '2017-06-20T00:00:00.000Z').slice(0, 10).replace(/-/g, '.');
  const dc = options.dataCenter ?? 'dal09';
  return Array.from({ length: files }, (_, i) => `prod-${dc}-logstash-${day}-${i}.json`);
}

/** The records of a synthetic trace as JSON texts, in the order they are logged. */
export function* synthRecords(options: SynthOptions): Generator<string> {
  const model = new SynthModel(options);
  yield* model.records();
}

class SynthModel {
  private readonly rng: Random;
  private readonly total: number;
  private readonly maxLayer: number;
  private readonly usedIds = new Set<string>();
  private readonly hosts: string[];
  private readonly clients: string[];
  private readonly clientAgents: string[];
  private readonly pulled: Set<Layer>[];
  private readonly repos: Repo[];
  private readonly baseLayers: Layer[];
  private readonly emptyLayer: Layer;
  private readonly repoZipf: Zipf;
  private readonly clientZipf: Zipf;
  private readonly heap = new MinHeap<Pending>(before);
  private seq = 0;
  private generated = 0;
  private now: number;
  private readonly meanGapMs: number;

  constructor(options: SynthOptions) {
    this.rng = new Random(options.seed);
    this.total = Math.max(0, Math.floor(options.requests));
    this.maxLayer = options.maxLayerBytes ?? 2 ** 31;
    this.now = Date.parse(options.start ?? '2017-06-20T00:00:00.000Z');
    const rate = options.rate ?? 10;
    const fleet = SYNTH_FIGURES.fleetPulls;
    // ~3 records a session, a fleet pull's as many times over as it has clients.
    this.meanGapMs = (3000 * (1 + fleet.share * ((fleet.min + fleet.max) / 2 - 1))) / rate;
    const rng = this.rng;
    this.hosts = Array.from({ length: 6 }, () => this.uniqueHex());
    const clientCount = options.clients ?? defaultClients(this.total);
    this.clients = Array.from({ length: clientCount }, () => this.uniqueHex());
    this.clientAgents = this.clients.map(() => USER_AGENTS[rng.int(USER_AGENTS.length)]);
    this.pulled = this.clients.map(() => new Set<Layer>());
    this.baseLayers = Array.from({ length: 20 }, () => this.newLayer());
    this.emptyLayer = { id: this.uniqueHex(), size: EMPTY_LAYER_BYTES };
    const repoCount = options.repos ?? defaultRepos(this.total);
    const users = Array.from({ length: Math.max(1, Math.ceil(repoCount / 2)) }, () => this.uniqueHex());
    this.repos = Array.from({ length: repoCount }, () => {
      const repo: Repo = { name: `${users[rng.int(users.length)]}/${this.uniqueHex()}`, images: [] };
      const tags = 1 + rng.int(3);
      for (let i = 0; i < tags; i++) repo.images.push(this.newImage(repo));
      return repo;
    });
    this.repoZipf = new Zipf(repoCount, SYNTH_FIGURES.repoZipf);
    this.clientZipf = new Zipf(clientCount, SYNTH_FIGURES.clientZipf);
  }

  *records(): Generator<string> {
    let written = 0;
    while (this.generated < this.total) {
      this.now += this.rng.exponential(this.meanGapMs);
      this.session();
      // Nothing generated later can complete before `now`: whatever completed earlier is final.
      while (this.heap.size > 0 && (this.heap.peek() as Pending).done < this.now && written < this.total) {
        yield this.heap.pop().text;
        written++;
      }
    }
    while (this.heap.size > 0 && written < this.total) {
      yield this.heap.pop().text;
      written++;
    }
  }

  private session(): void {
    const rng = this.rng;
    const client = this.clientZipf.draw(rng);
    const u = rng.next();
    const { pull, push } = SYNTH_FIGURES.sessions;
    if (rng.next() < SYNTH_FIGURES.fleetPulls.share) this.fleetPull();
    else if (u < pull) this.pullSession(client);
    else if (u < pull + push) this.pushSession(client);
    else this.emit(this.now, 'GET', client, 'v2/', rng.next() < 0.5 ? 200 : 401, 2, this.serviceTime(2));
  }

  private pullSession(client: number): void {
    const rng = this.rng;
    const repo = this.repos[this.repoZipf.draw(rng)];
    const { notFound, unauthorized } = SYNTH_FIGURES.pullFailures;
    const f = rng.next();
    if (f < notFound + unauthorized) {
      const status = f < notFound ? 404 : 401;
      this.emit(
        this.now,
        'GET',
        client,
        `v2/${repo.name}/manifests/${this.rng.hex8()}`,
        status,
        status === 404 ? 96 : 145,
        this.serviceTime(100),
      );
      return;
    }
    // Most pulls want the newest tag.
    const image = rng.next() < 0.7 ? repo.images[repo.images.length - 1] : repo.images[rng.int(repo.images.length)];
    this.pullImage(client, repo, image, this.now);
  }

  /** Clients of a fleet pull the newest image of one repository, all within the same millisecond. */
  private fleetPull(): void {
    const rng = this.rng;
    const { min, max } = SYNTH_FIGURES.fleetPulls;
    const repo = this.repos[this.repoZipf.draw(rng)];
    const image = repo.images[repo.images.length - 1];
    const size = Math.min(this.clients.length, min + rng.int(max - min + 1));
    const fleet = new Set<number>();
    while (fleet.size < size) fleet.add(rng.int(this.clients.length));
    const at = Math.floor(this.now);
    for (const client of fleet) this.pullImage(client, repo, image, at + rng.next() * 0.999);
  }

  /** A manifest GET at `at`, then GETs of the layers `client` does not have, three at a time. */
  private pullImage(client: number, repo: Repo, image: Image, at: number): void {
    const rng = this.rng;
    const manifestDuration = this.serviceTime(image.manifestSize);
    this.emit(at, 'GET', client, `v2/${repo.name}/manifests/${image.tag}`, 200, image.manifestSize, manifestDuration);
    const have = this.pulled[client];
    const slots = new Array<number>(SYNTH_FIGURES.parallelPulls).fill(at + manifestDuration * 1000 + 20 + rng.int(200));
    for (const layer of image.layers) {
      if (have.has(layer)) continue;
      have.add(layer);
      let slot = 0;
      for (let k = 1; k < slots.length; k++) if (slots[k] < slots[slot]) slot = k;
      const start = slots[slot] + rng.int(30);
      const duration = this.serviceTime(layer.size);
      this.emit(start, 'GET', client, `v2/${repo.name}/blobs/${layer.id}`, 200, layer.size, duration);
      slots[slot] = start + duration * 1000;
    }
  }

  private pushSession(client: number): void {
    const rng = this.rng;
    const repo = this.repos[rng.int(this.repos.length)];
    const image = this.newImage(repo);
    const known = new Set(repo.images.flatMap((i) => i.layers));
    let t = this.now;
    for (const layer of image.layers) {
      const exists = known.has(layer);
      const headDuration = this.serviceTime(0);
      this.emit(
        t,
        'HEAD',
        client,
        `v2/${repo.name}/blobs/${layer.id}`,
        exists ? 200 : 404,
        exists ? 500 + rng.int(1500) : 157,
        headDuration,
      );
      t += headDuration * 1000 + 5;
      if (exists) continue;
      const duration = this.serviceTime(layer.size) * 1.5;
      this.emit(t, 'PUT', client, `v2/${repo.name}/blobs/${layer.id}`, 201, layer.size, duration);
      t += duration * 1000 + 5;
    }
    this.emit(
      t,
      'PUT',
      client,
      `v2/${repo.name}/manifests/${image.tag}`,
      201,
      image.manifestSize,
      this.serviceTime(image.manifestSize),
    );
    repo.images.push(image);
    for (const layer of image.layers) this.pulled[client].add(layer);
  }

  private newImage(repo: Repo): Image {
    const rng = this.rng;
    const count = 1 + Math.min(40, Math.floor(rng.exponential(SYNTH_FIGURES.meanExtraLayers)));
    const previous = repo.images.length > 0 ? repo.images[repo.images.length - 1].layers : [];
    const layers: Layer[] = [];
    for (let i = 0; i < count; i++) {
      const u = rng.next();
      if (i < previous.length && u < 0.5) layers.push(previous[i]);
      else if (u < 0.5 + SYNTH_FIGURES.sharedBaseLayers / 2)
        layers.push(this.baseLayers[rng.int(this.baseLayers.length)]);
      else layers.push(this.newLayer());
    }
    if (rng.next() < SYNTH_FIGURES.emptyLayerImages) layers.splice(rng.int(layers.length + 1), 0, this.emptyLayer);
    const unique = [...new Set(layers)];
    // Schema-2 manifests grow ~200 bytes a layer; some old schema-1 ones carry history and are ~10x larger.
    const base = 400 + 210 * unique.length + rng.int(120);
    return { tag: this.uniqueHex(), layers: unique, manifestSize: rng.next() < 0.1 ? base * 10 : base };
  }

  private newLayer(): Layer {
    const rng = this.rng;
    const tiny = SYNTH_FIGURES.tinyLayers;
    if (rng.next() < tiny.share)
      return { id: this.uniqueHex(), size: Math.round(tiny.min * (tiny.max / tiny.min) ** rng.next()) };
    const mixture = SYNTH_FIGURES.layerSizes;
    let u = rng.next();
    let k = 0;
    while (k < mixture.length - 1 && u >= mixture[k][0]) u -= mixture[k++][0];
    const size = rng.logNormal(mixture[k][1], mixture[k][2]);
    return { id: this.uniqueHex(), size: Math.max(100, Math.min(this.maxLayer, Math.round(size))) };
  }

  /** Seconds the traced registry took: a fixed cost plus transfer at ~40 MB/s, with log-normal noise. */
  private serviceTime(bytes: number): number {
    return (0.02 + bytes / 40e6) * this.rng.logNormal(1, 0.5);
  }

  private emit(
    startMs: number,
    method: string,
    client: number,
    uri: string,
    status: number,
    written: number,
    duration: number,
  ): void {
    if (this.generated >= this.total) return;
    this.generated++;
    const rng = this.rng;
    const start = Math.floor(startMs);
    const text =
      `{"host":"${this.hosts[rng.int(this.hosts.length)]}","http.request.duration":${duration.toFixed(9)},` +
      `"http.request.method":"${method}","http.request.remoteaddr":"${this.clients[client]}","http.request.uri":"${uri}",` +
      `"http.request.useragent":"${this.clientAgents[client]}","http.response.status":${status},"http.response.written":${written},` +
      `"id":"${rng.hex8()}${rng.int(256).toString(16).padStart(2, '0')}","timestamp":"${new Date(start).toISOString()}"}`;
    this.heap.push({ done: start + duration * 1000, seq: this.seq++, text });
  }

  private uniqueHex(): string {
    for (;;) {
      const id = this.rng.hex8();
      if (!this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.done < b.done || (a.done === b.done && a.seq < b.seq);
}
