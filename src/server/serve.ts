import type { CliContext } from '../cli/context.js';
import { UsageError } from '../model/errors.js';

export async function runServe(_ctx: CliContext, _opts: { port: number; host: string; demo: boolean; trustProxy?: boolean }): Promise<void> {
  throw new UsageError('hindsight serve is not available in this build yet');
}
