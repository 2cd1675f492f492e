import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

// src/'s stages, lowest first: a stage may import those before it in this list, not those
// after it or beside it. `base` is src/'s top files (errors.ts, log.ts, version.ts, random.ts),
// which import no stage; the CLI (src/cli/, src/cli.ts) and the action (src/action/, main.ts,
// index.ts) sit above them all.
const STAGES = [
  ['base'],
  ['proc'],
  ['config'],
  ['counters'],
  ['workload', 'flags'],
  ['samples'],
  ['targets'],
  ['replay'],
  ['analysis'],
  ['explain'],
  ['report'],
  ['merge', 'history', 'rollout'],
  ['dashboard', 'recorder'],
  ['pipeline'],
];
const EDGES = ['cli', 'action', 'main', 'index'];
const GITHUB = {
  group: ['@actions/*'],
  message: 'only src/action/ talks to GitHub: take a Logger',
};

function stageBoundary(name, notBelow) {
  // Folders are reached with `../name/…`; pipeline.ts and the top files from `./`.
  const atTop = name === 'base' || name === 'pipeline';
  const up = atTop ? '\\./' : '(?:\\.\\./)+';
  const banned = [...notBelow, ...EDGES].filter((n) => n !== name && n !== 'base');
  return {
    files:
      name === 'base'
        ? ['src/errors.ts', 'src/log.ts', 'src/version.ts', 'src/random.ts']
        : atTop
          ? [`src/${name}.ts`]
          : [`src/${name}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            GITHUB,
            {
              regex: `^${up}(?:${banned.join('|')})(?:/|\\.js$)`,
              message: `imports go down the pipeline (eslint.config.js, STAGES): ${name} comes before this stage`,
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'native/build/',
      'node_modules/',
      '.perfgate/',
      '.tmp/',
      'examples/**/*.js',
      'examples/**/*.cjs',
      'examples/**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Only the action edge talks to GitHub (everything else takes a Logger), and the stages import
  // down the pipeline: each may use the stages below it, never one beside or above it.
  {
    files: ['src/cli/**/*.ts', 'src/cli.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [GITHUB] }] },
  },
  ...STAGES.flatMap((stage, level) =>
    stage.map((name) => stageBoundary(name, STAGES.slice(level).flat())),
  ),
  {
    // Small functions: a stage reads as its steps, each step on its own.
    files: ['src/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipComments: true, skipBlankLines: true }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
