import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The small project README's session runs on: a Node.js service with the usual clutter
 * (installed packages at two levels, coverage, a log, a cache, a local .env) and a
 * gitignore-style .dockerignore. Sizes are fixed so that the session's numbers are the same on
 * every machine; contents are filler.
 */
export const README_SAMPLE: Record<string, string | number> = {
  'Dockerfile': [
    'FROM node:20-alpine',
    'WORKDIR /app',
    'COPY package.json package-lock.json ./',
    'RUN npm ci --omit=dev',
    'COPY . .',
    'CMD ["node", "src/server.js"]',
    '',
  ].join('\n'),
  '.dockerignore': 'node_modules\n*.log\n',
  'package.json': '{\n  "name": "shop",\n  "version": "1.0.0",\n  "dependencies": { "express": "^4.19.0" }\n}\n',
  'package-lock.json': 18_400,
  'src/server.js': 2_300,
  'src/routes/cart.js': 4_100,
  'src/routes/orders.js': 5_200,
  'web/package.json': 420,
  'web/src/app.tsx': 9_800,
  'web/node_modules/react-dom/cjs/react-dom.development.js': 1_050_000,
  'web/node_modules/react/index.js': 190,
  'node_modules/express/lib/router/index.js': 15_000,
  'node_modules/express/package.json': 1_200,
  'node_modules/typescript/lib/typescript.js': 8_900_000,
  'node_modules/.cache/babel-loader/3f9a.json': 640_000,
  'coverage/lcov.info': 310_000,
  'coverage/lcov-report/index.html': 52_000,
  'npm-debug.log': 48_000,
  '.env': 'DATABASE_URL=postgres://shop:devpassword@localhost:5432/shop\n',
};

/** Build the sample project in a new temporary directory (named shop/ inside it) and return its path. */
export function makeReadmeSample(): string {
  const root = path.join(mkdtempSync(path.join(tmpdir(), 'ctxsize-readme-')), 'shop');
  for (const [rel, content] of Object.entries(README_SAMPLE)) {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, typeof content === 'number' ? fill(content) : content);
  }
  return root;
}

/** `size` bytes of printable filler, in lines. */
function fill(size: number): string {
  const line = '// filler line for the sample project ......................................\n';
  return line.repeat(Math.ceil(size / line.length)).slice(0, size);
}
