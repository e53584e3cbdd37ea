import type { RegisterCommands } from '../context.js';
import { registerAttackCommands } from './attack.js';
import { registerDemoCommand } from './demo.js';
import { registerIncidentCommands } from './incidents.js';

/** Every command module, in the order `hindsight --help` lists them. */
export const registerCommandModules: RegisterCommands[] = [registerIncidentCommands, registerDemoCommand, registerAttackCommands];
