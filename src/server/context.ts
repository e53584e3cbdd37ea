import type { FastifyInstance } from 'fastify';
import type { Accounts } from '../app/accounts/index.js';
import type { OidcRuntimeOptions } from '../app/accounts/oidc.js';
import type { OidcSettings } from '../app/accounts/oidc-settings.js';
import type { ThrottleLimits } from '../app/accounts/sign-in-throttle.js';
import type { RuleSource } from '../app/rule-index.js';
import type { KnowledgeBase } from '../attack/types.js';
import type { Role } from '../model/roles.js';
import type { OpenedStore } from '../store/index.js';
import type { PdfPrinter } from '../export/pdf-printer.js';
import type { ReportCache } from './report-cache.js';
import type { UploadLimits } from './upload-files.js';

/** Who may call a route: `public` (no sign-in) or a minimum role. */
export type Access = 'public' | Role;

/** One declared route and who may call it. */
export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

export interface ServerOptions {
  store: OpenedStore;
  kb: KnowledgeBase;
  /** Built web application (web/dist); served at / when it exists. */
  webRoot?: string | null;
  /** Trust X-Forwarded-* (for Secure cookies behind a TLS-terminating proxy). */
  trustProxy?: boolean;
  logger?: boolean;
  /** Write an access log (one JSON line per request) to this file, or `-` for stdout; default none. */
  accessLog?: string;
  /** Failed sign-ins allowed per user name per minute (default 5; per address and overall scale from it). */
  loginAttemptsPerMinute?: number;
  /** Sign-in throttle limits (per address, per user name, global, backoff); loginAttemptsPerMinute scales the defaults. */
  signInLimits?: Partial<ThrottleLimits>;
  /** Detection rule files or folders (Sigma, Sentinel, Elastic, Splunk...): enables the coverage and gap layers. */
  rules?: string[];
  /** The review policy file the server reads and (for admins) writes. */
  policyFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Single sign-on with OpenID Connect (see oidcSettingsFrom); absent: password sign-in only. */
  oidc?: OidcSettings;
  /** Tuning of the sign-on's key set fetches (tests shorten the cooldown). */
  oidcRuntime?: OidcRuntimeOptions;
  /** Compute the attribution of incidents in idle time once listening and after imports (default true). */
  precomputeAttribution?: boolean;
  /**
   * The connectors' schedule: once listening, the server runs each enabled connector when it is due
   * (default on; `hindsight serve --no-scheduler` and tests turn it off). `everyMs`: how often it
   * looks for due connectors (default 30 s); `log`: where run outcomes go (default the server log).
   */
  connectorScheduler?: { enabled?: boolean; everyMs?: number; log?: (line: string) => void };
  /** PDF downloads: pages printed at once (default 2) and downloads allowed to wait (default 32). */
  pdf?: { concurrency?: number; maxWaiting?: number };
  /** Upload limits for imports (default 100 MiB a file, 256 MiB a request); uploads stream to disk. */
  upload?: Partial<UploadLimits>;
  /**
   * Notifications: once listening, the server sends what writes recorded shortly after each write
   * (`afterWriteMs`, default 500 ms) and looks for reminders and retries every `everyMs` (default
   * 60 s). Default on; `hindsight serve --no-scheduler` turns it off (`hindsight notify run` then).
   */
  notifier?: { enabled?: boolean; everyMs?: number; afterWriteMs?: number; log?: (line: string) => void; now?: () => Date };
}

/** What every route group is registered with (its plugin options). */
export interface RouteContext {
  auth: Accounts;
  store: OpenedStore;
  kb: KnowledgeBase;
  options: ServerOptions;
  loginAttemptsPerMinute: number;
  reports: ReportCache;
  /** The rules the server was started with: the Detection section's index and the coverage layers' inventory. */
  rules: RuleSource;
  /** Called after an import changed incidents (starts the background attribution). */
  afterImport: () => void;
  /** The one browser every PDF download prints in, behind a bounded queue. */
  pdf: PdfPrinter;
  uploadLimits: UploadLimits;
}

/** The server as `buildServer` gives it: the route table (who may call what) and the account use cases. */
export type App = FastifyInstance & { routeTable: RouteAccess[]; auth: Accounts };
