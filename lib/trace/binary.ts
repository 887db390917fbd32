import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { DrtpError } from '../errors.js';
import { AtomicFile } from '../fsutil/atomic.js';
import { ioError } from '../fsutil/io-error.js';
import { StringPool } from './string-pool.js';
import {
  COLUMN_NAMES,
  COLUMN_TYPES,
  POOL_NAMES,
  TraceTable,
  type ColumnName,
  type PoolName,
  type TraceColumns,
  type TracePools,
} from './table.js';

/**
 * The .drtp file: a TraceTable as it lies in memory, so loading it is one read plus typed-array views.
 *   8 bytes magic, u32 format version, u32 header length, header JSON, then 8-byte aligned sections:
 *   every column, then each pool's UTF-8 bytes and its offsets. Little-endian (refused elsewhere).
 */
const MAGIC = Buffer.from('DRTPTBL\0', 'latin1');
export const TABLE_FORMAT_VERSION = 2;
/** Version 1 had no user agents: its tables read as if no record had one. */
const READABLE_VERSIONS = [1, 2];

interface Section {
  offset: number;
  bytes: number;
}

interface Header {
  length: number;
  columns: Record<ColumnName, Section>;
  pools: Record<PoolName, { bytes: Section; offsets: Section }>;
  /** Free-form facts about how the table was made (source files, counts). */
  meta: Record<string, unknown>;
}

export function isTableFile(path: string): boolean {
  return path.endsWith('.drtp');
}

export async function writeTable(path: string, table: TraceTable, meta: Record<string, unknown> = {}): Promise<void> {
  assertLittleEndian(path);
  const sections: Uint8Array[] = [];
  let at = 0;
  const place = (data: ArrayBufferView): Section => {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const section = { offset: at, bytes: bytes.length };
    sections.push(bytes);
    at += bytes.length;
    const pad = (8 - (at % 8)) % 8;
    if (pad > 0) {
      sections.push(new Uint8Array(pad));
      at += pad;
    }
    return section;
  };
  const columns = {} as Header['columns'];
  for (const name of COLUMN_NAMES) columns[name] = place(table.columns[name]);
  const pools = {} as Header['pools'];
  for (const name of POOL_NAMES) {
    const pool = table.pools[name];
    pools[name] = { bytes: place(pool.bytes), offsets: place(pool.offsets) };
  }
  const header: Header = { length: table.length, columns, pools, meta };
  let headerJson = Buffer.from(JSON.stringify(header));
  const prefix = MAGIC.length + 8;
  const padded = Math.ceil((prefix + headerJson.length) / 8) * 8 - prefix;
  headerJson = Buffer.concat([headerJson, Buffer.alloc(padded - headerJson.length, 0x20)]);
  const lead = Buffer.alloc(prefix);
  MAGIC.copy(lead, 0);
  lead.writeUInt32LE(TABLE_FORMAT_VERSION, MAGIC.length);
  lead.writeUInt32LE(headerJson.length, MAGIC.length + 4);
  // A write that fails drops the temp file itself.
  const file = await AtomicFile.create(path);
  await file.write(lead);
  await file.write(headerJson);
  for (const s of sections) await file.write(s);
  await file.commit();
}

export interface LoadedTable {
  table: TraceTable;
  meta: Record<string, unknown>;
}

export async function readTable(path: string): Promise<LoadedTable> {
  assertLittleEndian(path);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw ioError(err, 'read', path);
  }
  const bad = (why: string): DrtpError =>
    new DrtpError('E_TABLE_FORMAT', `${why}: not a drtp table file, or a damaged one`, { file: path });
  if (buf.length < MAGIC.length + 8 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw bad('wrong magic bytes');
  const version = buf.readUInt32LE(MAGIC.length);
  if (!READABLE_VERSIONS.includes(version)) {
    throw new DrtpError(
      'E_TABLE_FORMAT',
      `table format version ${version}, this drtp reads ${READABLE_VERSIONS.join(' and ')}: re-run drtp import`,
      { file: path },
    );
  }
  const headerLength = buf.readUInt32LE(MAGIC.length + 4);
  const dataStart = MAGIC.length + 8 + headerLength;
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(MAGIC.length + 8, dataStart).toString('utf8')) as Header;
  } catch {
    throw bad('unreadable header');
  }
  // Typed-array views need aligned offsets: a pooled small Buffer may not start on an 8-byte boundary.
  const data = buf.byteOffset % 8 === 0 ? buf : Buffer.from(buf);
  const view = <T>(section: Section, Type: new (b: ArrayBufferLike, o: number, n: number) => T, width: number): T => {
    if (section.offset + section.bytes + dataStart > data.length || section.bytes % width !== 0)
      throw bad('section out of bounds');
    return new Type(data.buffer, data.byteOffset + dataStart + section.offset, section.bytes / width);
  };
  const columns = {} as Record<ColumnName, TraceColumns[ColumnName]>;
  for (const name of COLUMN_NAMES) {
    const Type = COLUMN_TYPES[name];
    if (name === 'agent' && version === 1) {
      columns[name] = new Type(new ArrayBuffer(header.length * Type.BYTES_PER_ELEMENT));
      continue;
    }
    const section = header.columns[name];
    if (section === undefined) throw bad(`column ${name} is missing`);
    columns[name] = view(section, Type, Type.BYTES_PER_ELEMENT);
    if (columns[name].length !== header.length) throw bad(`column ${name} has the wrong length`);
  }
  const pools = {} as TracePools;
  for (const name of POOL_NAMES) {
    const p = header.pools[name];
    if (name === 'agents' && version === 1) pools[name] = StringPool.withEmptyOnly();
    else if (p === undefined) throw bad(`pool ${name} is missing`);
    else pools[name] = new StringPool(view(p.bytes, Uint8Array, 1), view(p.offsets, Uint32Array, 4));
  }
  return { table: new TraceTable(header.length, columns as TraceColumns, pools), meta: header.meta };
}

function assertLittleEndian(path: string): void {
  if (endianness() !== 'LE')
    throw new DrtpError('E_TABLE_FORMAT', '.drtp files are little-endian; this machine is big-endian', { file: path });
}
