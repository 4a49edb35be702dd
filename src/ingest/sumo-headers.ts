import { AppError, ErrorCode } from '../core/errors.js';

export interface SumoHeaderMetadata {
  category?: string;
  name?: string;
  host?: string;
  fields: Record<string, string>;
}

const fieldName = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
const MAX_FIELDS = 64;
const MAX_VALUE_CHARS = 1024;

function single(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** Parses `X-Sumo-Fields: k=v,k2=v2`; a malformed header is a 400 naming the bad entry. */
export function parseSumoFields(header: string | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  if (header === undefined || header.trim() === '') return fields;
  const entries = header.split(',');
  if (entries.length > MAX_FIELDS) {
    throw new AppError(ErrorCode.BadRequest, `X-Sumo-Fields has more than ${MAX_FIELDS} fields`);
  }
  for (const entry of entries) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const key = (eq === -1 ? entry : entry.slice(0, eq)).trim();
    if (eq === -1 || !fieldName.test(key)) {
      throw new AppError(
        ErrorCode.BadRequest,
        `X-Sumo-Fields entry "${entry.trim().slice(0, 60)}" is not name=value with a name of letters, digits, _ . -`,
      );
    }
    const value = entry.slice(eq + 1).trim();
    if (value.length > MAX_VALUE_CHARS) {
      throw new AppError(ErrorCode.BadRequest, `X-Sumo-Fields value of "${key}" is longer than ${MAX_VALUE_CHARS} characters`);
    }
    fields[key] = value;
  }
  return fields;
}

/** Reads the X-Sumo-* metadata headers of an ingest request. */
export function readSumoHeaders(headers: Record<string, string | string[] | undefined>): SumoHeaderMetadata {
  const category = single(headers['x-sumo-category']);
  const name = single(headers['x-sumo-name']);
  const host = single(headers['x-sumo-host']);
  return {
    ...(category !== undefined ? { category } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(host !== undefined ? { host } : {}),
    fields: parseSumoFields(single(headers['x-sumo-fields'])),
  };
}
