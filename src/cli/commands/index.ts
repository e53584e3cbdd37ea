import type { RegisterCommands } from '../context.js';

/** Every command module, in the order `hindsight --help` lists them. */
export const registerCommandModules: RegisterCommands[] = [];
