import type { FastifySerializerCompiler } from 'fastify';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ReviewReportSchema } from '../model/review-report.js';
import { IncidentDetailSchema } from './schemas/incidents.js';

const DetailWithoutReport = IncidentDetailSchema.omit({ report: true });

/**
 * The serializer of the incident detail. The finished review is by far its largest part: it is
 * written as JSON without a check against its schema on every answer (the check cost as much as
 * building a review whose attribution is stored). Its schema still documents it in the OpenAPI
 * document, and test/server/response-types.test.ts fails the type-check when the schema and the
 * `ReviewReport` type that builds it differ. The report cache hands out the same report object
 * until the incident or its review changes, so its JSON is kept beside it and reused. The rest of
 * the answer (the review record, the access list, the review's own timeline entries) is checked and
 * written on every request. Other statuses are checked against their own schema, as everywhere else.
 */
export const incidentDetailSerializer: FastifySerializerCompiler<unknown> = ({ schema, method, url, httpStatus }) => {
  const encode = <T extends z.ZodType>(responseSchema: T, value: z.output<T>) => {
    const result = z.safeEncode(responseSchema, value);
    if (result.error) throw new ResponseSerializationError(method, url, { cause: result.error });
    return JSON.stringify(result.data);
  };
  if (!(schema instanceof z.ZodType)) throw new Error(`${method} ${url}: the response schema of status ${httpStatus} is not a zod schema`);
  if (String(httpStatus) !== '200') return (data: unknown) => encode(schema, data);
  const reports = new WeakMap<object, string>();
  return (data: z.output<typeof IncidentDetailSchema>) => {
    const { report, ...rest } = data;
    let reportJson = reports.get(report);
    if (reportJson === undefined) {
      reportJson = JSON.stringify(report satisfies z.output<typeof ReviewReportSchema>);
      reports.set(report, reportJson);
    }
    // `rest` always has members, so its JSON is `{...}` with something between the braces.
    return `{"report":${reportJson},${encode(DetailWithoutReport, rest).slice(1)}`;
  };
};
