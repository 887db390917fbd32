import { readFileSync } from 'node:fs';

/** One line of docker-registry's access log (combined format): what reached the registry. */
export interface AccessLine {
  method: string;
  path: string;
  /** `HTTP/1.1` or `HTTP/2.0`. */
  version: string;
  status: number;
  userAgent: string;
}

const LINE = /"(\S+) (\S+) (HTTP\/[\d.]+)" (\d+) \S+ "(?:[^"\\]|\\.)*" "((?:[^"\\]|\\.)*)"/;

/** The access log's request lines, in order (other lines skipped). */
export function readAccessLog(file: string): AccessLine[] {
  const lines: AccessLine[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    const m = LINE.exec(text);
    if (m === null) continue;
    lines.push({
      method: m[1],
      path: m[2],
      version: m[3],
      status: Number(m[4]),
      userAgent: JSON.parse(`"${m[5]}"`) as string,
    });
  }
  return lines;
}
