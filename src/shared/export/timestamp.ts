/**
 * RFC 3339 times in UTC, as the spec writes them (`2026-11-25T03:00:01.250Z`).
 * A verifier compares times to decide revocation and order, so a time that
 * does not parse must never compare as "before" anything: callers get null
 * and fail closed. Date.parse alone is not enough: it returns NaN (which is
 * neither before nor after anything), accepts local times and years like
 * +275760, and rolls 2026-02-30 over to March.
 */
const UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS[month - 1];
}

/** Milliseconds since the epoch, or null when `text` is not an RFC 3339 UTC time with valid fields. */
export function parseUtcTimestamp(text: unknown): number | null {
  if (typeof text !== 'string' || text.length > 40) return null;
  const m = UTC.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  // 23:59:60 (a leap second) is valid RFC 3339 but no clock here can say when it was: refused.
  if (hour > 23 || minute > 59 || second > 59) return null;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const date = new Date(Date.UTC(2000, 0, 1, hour, minute, second, ms));
  // setUTCFullYear, because Date.UTC reads years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

export const TIMESTAMP_RULE = 'an RFC 3339 UTC time such as 2026-11-25T03:00:01.250Z';
