import type { Command } from 'commander';
import type { CliContext, RegisterCommands } from '../../context.js';
import { registerActionCommands } from './actions.js';
import { registerReviewEditCommand } from './edit.js';
import { registerFindingCommands } from './findings.js';
import { registerCloseCommand, registerPolicyCommands } from './policy.js';
import { registerReviewDocumentCommand } from './print.js';
import { registerReviewHistoryCommand, registerReviewStatusCommand } from './status.js';
import { registerTaskCommands } from './tasks.js';
import { registerTimelineCommands } from './timeline.js';
import { registerReviewTransitionCommands } from './transitions.js';

/**
 * The post-incident review workflow on the command line: `review` (print the review, and its
 * status|edit|start|submit|approve|return|waive|reopen|require|history subcommands), `timeline`,
 * `findings`, `actions`, `policy` and `close`. Writes take `--actor` (default HINDSIGHT_USER, then
 * the login name) and `--expect-version N`; a stale version is refused (exit 1).
 */
export const registerReviewWorkflowCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  const review = registerReviewDocumentCommand(program, ctx);
  registerReviewStatusCommand(review, ctx);
  registerReviewEditCommand(review, ctx);
  registerReviewTransitionCommands(review, ctx);
  registerReviewHistoryCommand(review, ctx);
  registerTimelineCommands(program, ctx);
  registerFindingCommands(program, ctx);
  registerActionCommands(program, ctx);
  registerTaskCommands(program, review, ctx);
  registerPolicyCommands(program, ctx);
  registerCloseCommand(program, ctx);
};
