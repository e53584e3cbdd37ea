import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './0001-initial-schema.js';
import { reviewWorkflowSchema } from './0002-review-workflow.js';
import { learningFactsSchema } from './0003-learning-facts.js';
import { playbookLibrarySchema } from './0004-playbook-library.js';
import { reviewConfirmedTechniquesSchema } from './0006-review-confirmed-techniques.js';
import { authAuditSchema } from './0005-auth-audit.js';
import { learningAggregatesSchema } from './0007-learning-aggregates.js';
import { incidentSearchSchema } from './0008-incident-search.js';
import { importIndexesSchema } from './0009-import-indexes.js';
import { connectorsSchema } from './0010-connectors.js';
import { auditMacSchema } from './0011-audit-mac.js';
import { peopleSchema } from './0012-people.js';
import { signInSchema } from './0013-sign-in.js';
import { tokensAndSignInsSchema } from './0014-tokens-and-sign-ins.js';
import { reviewTasksSchema } from './0015-review-tasks.js';
import { notificationsSchema } from './0016-notifications.js';
import { observablesSchema } from './0018-observables.js';
import { ruleInventorySchema } from './0019-rule-inventory.js';

/**
 * The store's migrations, defined in code (not read from a folder) so they run the same from
 * src/ under the tests and from dist/ in the installed package. Keys sort in the order they run.
 */
export const migrations: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
  '0002-review-workflow': reviewWorkflowSchema,
  '0003-learning-facts': learningFactsSchema,
  '0004-playbook-library': playbookLibrarySchema,
  '0005-auth-audit': authAuditSchema,
  '0006-review-confirmed-techniques': reviewConfirmedTechniquesSchema,
  '0007-learning-aggregates': learningAggregatesSchema,
  '0008-incident-search': incidentSearchSchema,
  '0009-import-indexes': importIndexesSchema,
  '0010-connectors': connectorsSchema,
  '0011-audit-mac': auditMacSchema,
  '0012-people': peopleSchema,
  '0013-sign-in': signInSchema,
  '0014-tokens-and-sign-ins': tokensAndSignInsSchema,
  '0015-review-tasks': reviewTasksSchema,
  '0016-notifications': notificationsSchema,
  '0018-observables': observablesSchema,
  '0019-rule-inventory': ruleInventorySchema,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
