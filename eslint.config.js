import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Functions whose parameters need real names: all but arrow functions with an expression body. */
const NAMED_FUNCTION = ':matches(FunctionDeclaration, FunctionExpression, ArrowFunctionExpression[body.type="BlockStatement"])';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.data/**', '**/test-results/**', '**/playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Configuration is parsed once in config.ts; nothing else reads the environment.
    files: ['apps/api/src/**/*.ts'],
    ignores: ['apps/api/src/config.ts', 'apps/api/src/**/*.test.ts', 'apps/api/src/test/**'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration from config.ts.' }] },
  },
  {
    // The engine is configured through start() and the CLI's flags only; its parameters say what they
    // hold (one- and two-letter names only in expression lambdas, besides the domain's id/db/ns/to).
    files: ['packages/embedded-mongo/src/**/*.ts'],
    ignores: ['packages/embedded-mongo/src/**/*.test.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Pass engine settings through start() or a CLI flag.' }],
      'no-restricted-syntax': [
        'error',
        ...[
          `${NAMED_FUNCTION} > Identifier.params`,
          `${NAMED_FUNCTION} > AssignmentPattern.params > Identifier.left`,
          'TSParameterProperty > Identifier.parameter',
        ].map((parameter) => ({
          selector: `${parameter}[name=/^(?!(id|db|ns|to|_)$).{1,2}$/]`,
          message: 'Name parameters for what they hold (short names only in expression lambdas).',
        })),
      ],
    },
  },
);
