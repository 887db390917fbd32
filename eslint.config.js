// ESLint (typescript-eslint, type-aware): the rules that catch what review missed. `npm run lint`.
import tseslint from 'typescript-eslint';

/** lib/ is the bottom of the house: it imports neither actors/ nor cli/ (the layers inside lib/ are tests/lib/layering.test.ts's). */
const upward = (what) => ({
  group: [`**/${what}/*`, `**/${what}`],
  message: `lib/ must not import ${what}/: arrows point down (cli -> actors -> lib)`,
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-bench/**',
      'node_modules/**',
      '.tap/**',
      'bench-data/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  {
    files: ['**/*.ts'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: ['./tsconfig.check.json'], tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection: an error with a code becomes an unhandled one.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-var': 'error',
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // tap's t.test() returns a promise tap itself awaits: a test file's top-level calls are not floating.
    files: ['tests/**/*.ts'],
    // Tests read foreign JSON (summaries, result rows) as `any` where a full type would only restate the schema.
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }] },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [upward('actors'), upward('cli')] }] },
  },
  {
    files: ['actors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/cli/*'], message: 'actors/ must not import cli/: arrows point down (cli -> actors -> lib)' },
          ],
        },
      ],
    },
  },
);
