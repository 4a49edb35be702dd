/**
 * Default time zones for timestamps that carry none: fixed offsets and IANA names, and the
 * wall-clock → UTC conversion (IANA offsets cached per zone and quarter hour).
 */
import { AppError, ErrorCode } from '../errors.js';

/** A resolved default zone: a fixed offset, or an IANA zone with its formatter. */
export type Zone = { kind: 'fixed'; offsetMs: number } | { kind: 'iana'; name: string; format: Intl.DateTimeFormat };

const UTC_ZONE: Zone = { kind: 'fixed', offsetMs: 0 };
const zoneCache = new Map<string, Zone>();

/** The zone named `name` (cached), UTC when unset; an unknown name throws an `invalid_config` AppError. */
export function resolveZone(name: string | undefined): Zone {
  if (name === undefined || name === '' || name === 'UTC' || name === 'Z' || name === 'GMT') return UTC_ZONE;
  const cached = zoneCache.get(name);
  if (cached !== undefined) return cached;
  let zone: Zone;
  const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(name);
  if (offset !== null) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3]);
    zone = { kind: 'fixed', offsetMs: (offset[1] === '-' ? -minutes : minutes) * 60_000 };
  } else {
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error: unknown) {
      throw new AppError(ErrorCode.InvalidConfig, `unknown time zone "${name}"`, { cause: error });
    }
    zone = { kind: 'iana', name, format };
  }
  zoneCache.set(name, zone);
  return zone;
}

/** Offset cache per zone and 15-minute bucket: zone rules change at most every quarter hour. */
const offsetCache = new Map<string, number>();

function ianaOffsetAt(zone: Zone & { kind: 'iana' }, utcMs: number): number {
  const key = `${zone.name}|${Math.floor(utcMs / 900_000)}`;
  const hit = offsetCache.get(key);
  if (hit !== undefined) return hit;
  const p: Record<string, number> = {};
  for (const part of zone.format.formatToParts(utcMs)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    p.year ?? 1970,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  const offset = wall - (utcMs - (((utcMs % 1000) + 1000) % 1000));
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

/** Converts a wall-clock time (as if UTC) in `zone` to real UTC; a gap/overlap picks the earlier offset. */
export function wallToUtc(wallMs: number, zone: Zone): number {
  if (zone.kind === 'fixed') return wallMs - zone.offsetMs;
  const first = ianaOffsetAt(zone, wallMs);
  const guess = wallMs - first;
  const second = ianaOffsetAt(zone, guess);
  return second === first ? guess : wallMs - second;
}
