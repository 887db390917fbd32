import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

/** Debian's chromium (`.ci/install --tests` installs it), or undefined. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The page's DOM once headless Chromium has loaded and laid it out, offline. */
export function renderedDom(file: string, profileDir: string): string {
  return execFileSync(
    CHROMIUM as string,
    [...FLAGS, `--user-data-dir=${join(profileDir, 'chromium-profile')}`, '--dump-dom', `file://${file}`],
    { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] },
  );
}

/** A screenshot of the page, and how many of its pixel bytes are dark (text and lines: 0 for a blank page). */
export function screenshot(file: string, png: string, profileDir: string, size = '900,2400'): number {
  execFileSync(
    CHROMIUM as string,
    [
      ...FLAGS,
      `--user-data-dir=${join(profileDir, 'chromium-profile')}`,
      `--window-size=${size}`,
      `--screenshot=${png}`,
      `file://${file}`,
    ],
    { stdio: 'ignore', timeout: 60_000 },
  );
  return darkBytes(readFileSync(png));
}

/** Dark bytes in a PNG's pixel data, without a PNG library: inflate the IDAT chunks. */
function darkBytes(png: Buffer): number {
  const parts: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const pixels = inflateSync(Buffer.concat(parts));
  let dark = 0;
  for (const b of pixels) if (b < 64) dark++;
  return dark;
}

/** The charts of a rendered page: each one's title, tick labels and how many points its lines have. */
export function chartsOf(dom: string): { title: string; ticks: string[]; points: number }[] {
  return [...dom.matchAll(/<svg[^>]*class="chart"[^>]*>([\s\S]*?)<\/svg>/g)].map(([, body]) => ({
    title: /font-weight="bold">([^<]*)</.exec(body)?.[1] ?? '',
    ticks: [...body.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="(?:middle|end)">([^<]*)<\/text>/g)].map(
      (m) => m[1],
    ),
    points: [...body.matchAll(/points="([^"]*)"/g)].reduce(
      (n, m) => n + (m[1].trim() === '' ? 0 : m[1].trim().split(' ').length),
      0,
    ),
  }));
}
