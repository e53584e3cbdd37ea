import type { RegisterCommands } from '../context.js';
import { registerAttackCommands } from './attack.js';
import { registerConnectorCommands } from './connectors.js';
import { registerCoverageCommands } from './coverage.js';
import { registerAttributeCommand } from './attribute.js';
import { registerDemoCommand } from './demo.js';
import { registerExportCommand } from './export.js';
import { registerInferCommand } from './infer.js';
import { registerIncidentCommands } from './incidents.js';
import { registerIntelCommands } from './intel.js';
import { registerLearningCommands } from './learning.js';
import { registerNotifyCommands } from './notify.js';
import { registerObservableCommands } from './observables.js';
import { registerPlaybookCommands } from './playbook.js';
import { registerRulesCommands } from './rules.js';
import { registerReviewWorkflowCommands } from './review/index.js';
import { registerServerCommands } from './server.js';
import { registerTrackerCommands } from './trackers.js';

/** Every command module, in the order `hindsight --help` lists them. */
export const registerCommandModules: RegisterCommands[] = [registerIncidentCommands, registerReviewWorkflowCommands, registerDemoCommand, registerAttackCommands, registerAttributeCommand, registerInferCommand, registerExportCommand, registerObservableCommands, registerIntelCommands, registerCoverageCommands, registerRulesCommands, registerTrackerCommands, registerLearningCommands, registerPlaybookCommands, registerConnectorCommands, registerNotifyCommands, registerServerCommands];
