import { z } from 'zod';
import {
  ConnectorInputSchema,
  ConnectorNameSchema,
  ConnectorPatchSchema,
  ConnectorRunSchema,
  ConnectorViewSchema,
  SecretRefSchema,
  SyncConnectorResultSchema,
} from '../../model/connectors.js';
import { nameSchema } from './registry.js';

/**
 * A connector as the API shows it: its settings, last run and next run. `secret` is only the
 * *reference* to the secret (variable name or file path), and only admins get even that.
 */
export const ConnectorSchema = ConnectorViewSchema.extend({
  secret: SecretRefSchema.optional().describe('Where the secret is read from (never the secret itself); admins only.'),
});
export type ConnectorAnswer = z.infer<typeof ConnectorSchema>;

nameSchema(ConnectorSchema, 'Connector', 'A connector that pulls incidents from Microsoft Defender XDR (Graph security API) or Microsoft Sentinel (Azure Resource Manager); never its secret.');
nameSchema(ConnectorRunSchema, 'ConnectorRun', 'The outcome of a connector run.');
nameSchema(SecretRefSchema, 'SecretRef', 'Where a connector reads its secret at sync time: an environment variable, a file, or a PEM certificate file. Never the secret itself.');
// The input and the patch stay unnamed: their defaults make what is sent differ from what is kept,
// and a named schema has one shape in the document.
nameSchema(SyncConnectorResultSchema, 'SyncConnectorResult', "One connector's sync: what it fetched, created, updated and left unchanged, its checkpoint, and its error (null when it succeeded).");

export { ConnectorInputSchema, ConnectorPatchSchema, SyncConnectorResultSchema };

export const ConnectorParams = z.object({ name: ConnectorNameSchema });

export const ConnectorListSchema = z.object({
  connectors: z.array(ConnectorSchema),
  /** Whether this server runs enabled connectors on their schedule (off when started with `--no-scheduler`). */
  scheduler: z.object({ enabled: z.boolean() }),
});
