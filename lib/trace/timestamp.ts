/**
 * Parses an ISO-8601 timestamp as the traces write it (`2017-07-01T00:09:19.533Z`; any number of fraction
 * digits, `Z` or a `±HH:MM` offset) straight from bytes to epoch milliseconds. NaN when it is not one.
 * Written by hand because Date.parse needs a string per record, which the reader avoids.
 */
export function parseTimestampBytes(b: Uint8Array, start: number, end: number): number {
  if (end - start < 19) return NaN;
  const year = digits(b, start, 4);
  const month = digits(b, start + 5, 2);
  const day = digits(b, start + 8, 2);
  const hour = digits(b, start + 11, 2);
  const minute = digits(b, start + 14, 2);
  const second = digits(b, start + 17, 2);
  if (b[start + 4] !== 0x2d || b[start + 7] !== 0x2d || (b[start + 10] !== 0x54 && b[start + 10] !== 0x20)) return NaN;
  if (b[start + 13] !== 0x3a || b[start + 16] !== 0x3a) return NaN;
  if (!(
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 60
  ))
    return NaN;
  let p = start + 19;
  let fraction = 0;
  if (p < end && b[p] === 0x2e) {
    p++;
    let scale = 1000;
    const fracStart = p;
    while (p < end && b[p] >= 0x30 && b[p] <= 0x39) {
      scale /= 10;
      fraction += (b[p] - 0x30) * scale;
      p++;
    }
    if (p === fracStart) return NaN;
  }
  let offsetMinutes = 0;
  if (p < end && b[p] === 0x5a) p++;
  else if (p + 6 === end && (b[p] === 0x2b || b[p] === 0x2d) && b[p + 3] === 0x3a) {
    const oh = digits(b, p + 1, 2);
    const om = digits(b, p + 4, 2);
    if (!(oh <= 23 && om <= 59)) return NaN;
    offsetMinutes = (b[p] === 0x2b ? 1 : -1) * (oh * 60 + om);
    p += 6;
  } else return NaN;
  if (p !== end) return NaN;
  const days = daysFromCivil(year, month, day);
  return ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60000 + second * 1000 + fraction;
}

export function parseTimestamp(s: string): number {
  const bytes = Buffer.from(s, 'latin1');
  return parseTimestampBytes(bytes, 0, bytes.length);
}

/** NaN unless all `n` bytes at `p` are ASCII digits. */
function digits(b: Uint8Array, p: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = b[p + k] - 0x30;
    if (!(d >= 0 && d <= 9)) return NaN;
    v = v * 10 + d;
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const PREFIX = 13; // "YYYY-MM-DDTHH"

/**
 * parseTimestampBytes with a cache of the last date and hour: consecutive records share them, so the
 * common case parses only minutes, seconds and the fraction of a `...Z` timestamp.
 */
export class TimestampParser {
  private readonly prefix = new Uint8Array(PREFIX);
  private hourMs = NaN;

  parse(b: Uint8Array, start: number, end: number): number {
    if (end - start >= 20 && b[end - 1] === 0x5a && !Number.isNaN(this.hourMs) && this.samePrefix(b, start)) {
      const minute = digits(b, start + 14, 2);
      const second = digits(b, start + 17, 2);
      if (b[start + 13] === 0x3a && b[start + 16] === 0x3a && minute <= 59 && second <= 60) {
        let p = start + 19;
        let fraction = 0;
        if (b[p] === 0x2e) {
          p++;
          let scale = 1000;
          while (p < end - 1 && b[p] >= 0x30 && b[p] <= 0x39) {
            scale /= 10;
            fraction += (b[p++] - 0x30) * scale;
          }
          if (p === start + 20) return NaN;
        }
        if (p === end - 1) return this.hourMs + minute * 60000 + second * 1000 + fraction;
      }
    }
    const ms = parseTimestampBytes(b, start, end);
    if (!Number.isNaN(ms) && b[end - 1] === 0x5a) {
      for (let k = 0; k < PREFIX; k++) this.prefix[k] = b[start + k];
      this.hourMs = ms - (((ms % 3600000) + 3600000) % 3600000);
    }
    return ms;
  }

  private samePrefix(b: Uint8Array, start: number): boolean {
    for (let k = PREFIX - 1; k >= 0; k--) if (b[start + k] !== this.prefix[k]) return false;
    return true;
  }
}
