import { AppError, type ErrorCode } from '../core/errors.js';

/** Sumo Logic's search job error codes (reference §3), carried in AppError details. */
export const SearchErrorCode = {
  InvalidFrom: 'searchjob.invalid.timestamp.from',
  InvalidTo: 'searchjob.invalid.timestamp.to',
  ToBeforeFrom: 'searchjob.timestamp.to.smaller.than.from',
  UnknownTimeZone: 'searchjob.unknown.timezone',
  EmptyTimeZone: 'searchjob.empty.timezone',
  NoQuery: 'searchjob.no.query',
  ParseError: 'searchjob.query.parse.error',
  UnsupportedQuery: 'searchjob.query.unsupported',
  BadParameters: 'searchjob.invalid.query.parameters',
  JobNotFound: 'searchjob.jobid.invalid',
  NotAggregation: 'searchjob.no.records.not.an.aggregation.query',
  InvalidPaging: 'searchjob.invalid.offset.or.limit',
  TooManyJobs: 'searchjob.too.many.jobs',
} as const;
export type SearchErrorCode = (typeof SearchErrorCode)[keyof typeof SearchErrorCode];

/** An AppError whose HTTP answer uses Sumo's search job code. */
export function searchError(
  code: ErrorCode,
  searchCode: SearchErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): AppError {
  return new AppError(code, message, { details: { searchCode, ...details } });
}
