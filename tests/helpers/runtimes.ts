import type { Test } from 'tap';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const PULL_TIMEOUT_MS = 120_000;

/** A layer as podman stored it: its ID and its parent's, the blob it came from and the tar it unpacked. */
export interface AppliedLayer {
  id: string;
  parent?: string;
  blob: string;
  blobSize: number;
  diffId: string;
}

export interface Podman {
  pull(ref: string): Promise<void>;
  /** Every layer in podman's store (`vfs-layers/layers.json`). */
  layers(): AppliedLayer[];
}

/**
 * Real podman, rootful, with storage, run and tmp dirs of its own (vfs driver, no cgroup manager, no
 * event log): no system configuration is read or written. Removed when the test ends.
 */
export function withPodman(t: Test): Podman {
  const dir = mkdtempSync(join(tmpdir(), 'drtp-podman-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const global = [
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'run'),
    '--tmpdir',
    join(dir, 'tmp'),
    '--storage-driver',
    'vfs',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'none',
  ];
  return {
    async pull(ref) {
      await exec('podman', [...global, 'pull', '--quiet', '--tls-verify=false', ref], { timeout: PULL_TIMEOUT_MS });
    },
    layers() {
      const path = join(dir, 'root', 'vfs-layers', 'layers.json');
      if (!existsSync(path)) return [];
      const entries = JSON.parse(readFileSync(path, 'utf8')) as {
        id: string;
        parent?: string;
        'compressed-diff-digest': string;
        'compressed-size': number;
        'diff-digest': string;
      }[];
      return entries.map((e) => ({
        id: e.id,
        parent: e.parent,
        blob: e['compressed-diff-digest'],
        blobSize: e['compressed-size'],
        diffId: e['diff-digest'],
      }));
    },
  };
}

export interface Containerd {
  /** `ctr images pull` over plain HTTP into the native snapshotter, which unpacks every layer. */
  pull(ref: string): Promise<void>;
  /** The keys of the committed snapshots: the chain IDs of the layers unpacked. */
  snapshots(): Promise<Set<string>>;
}

/**
 * Real containerd with its own root, state and sockets (the CRI plugin off), started for this test and
 * stopped by its PID; `ctr` talks to its socket.
 */
export async function withContainerd(t: Test): Promise<Containerd> {
  // Unix socket paths are bounded (108 bytes): keep the directory short.
  const dir = mkdtempSync(join('/tmp', 'drtp-ctd-'));
  const socket = join(dir, 'c.sock');
  writeFileSync(
    join(dir, 'config.toml'),
    [
      'version = 2',
      `root = "${join(dir, 'root')}"`,
      `state = "${join(dir, 'state')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      '[ttrpc]',
      `  address = "${join(dir, 't.sock')}"`,
      '[debug]',
      '  address = ""',
      '[metrics]',
      '  address = ""',
      '',
    ].join('\n'),
  );
  const child = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (log = (log + c).slice(-8192)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.teardown(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const ctr = (args: string[]): Promise<{ stdout: string }> =>
    exec('ctr', ['--address', socket, '--namespace', 'drtp', ...args], {
      timeout: PULL_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await ctr(['version']);
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`containerd did not start: ${String(err)}\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    async pull(ref) {
      await ctr(['images', 'pull', '--plain-http', '--snapshotter', 'native', ref]);
    },
    async snapshots() {
      const { stdout } = await ctr(['snapshots', '--snapshotter', 'native', 'ls']);
      const keys = new Set<string>();
      for (const line of stdout.split('\n').slice(1)) {
        // KEY [PARENT] KIND: the base layer has no parent.
        const fields = line.trim().split(/\s+/);
        if (fields.length >= 2 && fields[fields.length - 1] === 'Committed') keys.add(fields[0]);
      }
      return keys;
    },
  };
}
