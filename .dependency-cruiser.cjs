/**
 * Hindsight's layer rules (docs/architecture.md). Dependencies point one way:
 * front ends (cli/, server/) -> app/ -> domain (review/, analysis/, export/, playbooks/, trackers/)
 * -> attack/, ingest/, rules/, store/ -> model/. Checked by `npm test` (npm run check:layers).
 */
const PURE = '^src/(model|attack|analysis|review|export|rules|ingest|playbooks|trackers)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules must not import each other in a circle (type-only imports aside).',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'only-bin-imports-cli',
      severity: 'error',
      comment: 'The command line is a front end: nothing under src/ imports it except itself.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'server-is-a-front-end',
      severity: 'error',
      comment: 'Only the command line (which starts the server) imports server/.',
      from: { path: '^src/', pathNot: '^src/(server|cli)/' },
      to: { path: '^src/server/' },
    },
    {
      name: 'app-below-front-ends',
      severity: 'error',
      comment: 'Use cases never import a front end.',
      from: { path: '^src/app/' },
      to: { path: '^src/(cli|server)/' },
    },
    {
      name: 'front-ends-go-through-app',
      severity: 'error',
      comment: 'The command line and the server call use cases in app/; of the store they only open it (store/index.ts, its public face).',
      from: { path: '^src/(cli|server)/' },
      to: { path: '^src/store/', pathNot: '^src/store/(index|types)[.]ts$' },
    },
    {
      name: 'pure-layers-stay-pure',
      severity: 'error',
      comment: 'model, attack, analysis, review, export, rules, ingest, playbooks and trackers never reach the store, the use cases or a front end.',
      from: { path: PURE },
      to: { path: '^src/(store|app|server|cli)/' },
    },
    {
      name: 'store-owns-the-database',
      severity: 'error',
      comment: 'Only store/ talks to the database: kysely, better-sqlite3 and pg are imported nowhere else.',
      from: { path: '^src/', pathNot: '^src/store/' },
      to: { path: 'node_modules/(kysely|better-sqlite3|pg)/' },
    },
    {
      name: 'store-depends-on-model-only',
      severity: 'error',
      comment: 'The store maps rows to the domain model and nothing else.',
      from: { path: '^src/store/' },
      to: { path: '^src/', pathNot: '^src/(store|model)/' },
    },
    {
      name: 'connectors-reach-sources-only',
      severity: 'error',
      comment: 'connectors/ talks to live sources over the network and hands records to the ingest mapping: it imports model/ and ingest/ only; app/ runs it.',
      from: { path: '^src/connectors/' },
      to: { path: '^src/', pathNot: '^src/(connectors|model|ingest)/' },
    },
    {
      name: 'only-app-runs-connectors',
      severity: 'error',
      comment: 'Syncs are use cases: front ends start them through app/.',
      from: { path: '^src/', pathNot: '^src/(connectors|app)/' },
      to: { path: '^src/connectors/' },
    },
    {
      name: 'model-is-the-bottom',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: '^src/model/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
