/**
 * What ctxsize knows about the files and directories that projects accumulate: caches, build
 * outputs, dependency folders, VCS data, logs, editor and OS files, secrets, and the lockfiles that
 * must stay. ONE table drives every feature that needs this knowledge:
 *
 * - `ctxsize clean` deletes the entries marked `clean: true` (regenerable caches only) and refuses
 *   to delete anything marked `neverDelete`, even when a user pattern names it;
 * - `ctxsize suggest` proposes each entry's `dockerignore` lines (none for entries that must stay
 *   in a context, such as lockfiles);
 * - `ctxsize check` can name the entry (and its `reason`) behind a finding, e.g. a secret.
 *
 * Keep knowledge here, not in those commands: two copies of such a table drift apart.
 *
 * ## How an entry matches
 *
 * Paths are relative to the directory being examined (a context root, a clean root), `/`-separated,
 * without a leading `./`. `pattern` is one or more `/`-separated name globs (see ./glob.ts:
 * `*`, `?`, `[...]`, each within one name). With `depth: 'any-depth'` the pattern matches the last
 * segments of a path at any depth (`node_modules/.cache` matches `web/node_modules/.cache`); with
 * `depth: 'root'` it must match the whole path. `kind` says whether directories, regular files or
 * both match; symbolic links never match by themselves (callers decide what a link means to them).
 * `except` lists names (globs on the last segment) that the entry does not match although the
 * pattern does (`.env.example` is not a secret). Two conditions need to look at the file system,
 * and the caller supplies them through a {@link MatchContext}: `siblings` (the entry only counts
 * next to one of these names: `target` is Rust's or Maven's build output only beside `Cargo.toml`
 * or `pom.xml`) and `contains` (a directory only counts when it holds one of these names: any
 * directory holding `pyvenv.cfg` is a virtual environment, whatever its name).
 *
 * Order matters: {@link ArtifactMatcher.match} returns the first matching entry, so specific
 * entries come before general ones (`npm-debug.log*` before `*.log`).
 */
import { compileNameGlob, GlobSyntaxError, type NameGlob } from './glob.js';

export { GlobSyntaxError } from './glob.js';

/** What an artifact is. `clean` only ever deletes from the cache categories. */
export type ArtifactCategory =
  | 'python-cache'
  | 'node-cache'
  | 'build-cache'
  | 'test-output'
  | 'build-output'
  | 'dependencies'
  | 'lockfile'
  | 'vcs'
  | 'logs'
  | 'editor'
  | 'os'
  | 'secrets'
  | 'custom';

/** The tool family that produces an artifact (`any` for cross-cutting entries). */
export type Ecosystem =
  | 'python'
  | 'node'
  | 'jvm'
  | 'rust'
  | 'go'
  | 'dotnet'
  | 'ruby'
  | 'php'
  | 'elixir'
  | 'haskell'
  | 'terraform'
  | 'zig'
  | 'any';

/** Which entries a pattern matches: directories, regular files, or both. */
export type ArtifactKind = 'dir' | 'file' | 'any';

/** Where a pattern applies: at any depth, or only as a path from the root. */
export type ArtifactDepth = 'any-depth' | 'root';

/** The part of an entry that says what it matches. Also the shape of a parsed user pattern. */
export interface ArtifactPattern {
  /** `/`-separated name globs, e.g. `__pycache__`, `*.pyc`, `node_modules/.cache`. */
  pattern: string;
  kind: ArtifactKind;
  depth: ArtifactDepth;
  /** Last-segment names (globs) excluded from the match, e.g. `.env.example` for `.env.*`. */
  except?: readonly string[];
  /** The entry matches only when its directory also holds one of these names (globs). */
  siblings?: readonly string[];
  /** A directory matches only when it holds one of these names (literal names). */
  contains?: readonly string[];
}

/** One row of the knowledge table. */
export interface ArtifactRule extends ArtifactPattern {
  /** Stable identifier, kebab-case, used in plans and JSON output (`python-pycache`). */
  id: string;
  category: ArtifactCategory;
  ecosystem: Ecosystem;
  /** One sentence: why it does not belong in a build context, and why it is (or is not) safe to delete. */
  reason: string;
  /**
   * In `ctxsize clean`'s default set. Only caches that the tools regenerate by themselves on their
   * next run; never virtual environments, `node_modules` itself, build outputs, lockfiles, VCS data
   * or anything a user edits.
   */
  clean: boolean;
  /**
   * `ctxsize clean` never deletes a match, even when a user's `--include` names it, and never looks
   * inside a matching directory except through an entry whose pattern names a path below it
   * (`node_modules/.cache`). For VCS data, dependencies (virtual environments, `node_modules`),
   * lockfiles and secrets.
   */
  neverDelete: boolean;
  /**
   * The `.dockerignore` lines `suggest` proposes for this entry, in order (an exception `!` line
   * comes after the line it qualifies). Empty when the entry must stay in a context (lockfiles,
   * vendored Go modules). `{path}` stands for the matched path: entries with `siblings` or
   * `contains` use it, because a generic `**\/target` would also catch unrelated folders. Use
   * {@link dockerignoreLinesFor} to get the lines for one match.
   */
  dockerignore: readonly string[];
  /**
   * What `suggest` may do when a build may read the match (it lies in what a Dockerfile copies,
   * or the Dockerfile copies the whole context). Defaults by category ({@link whenReadOf}):
   * - `exclude`: no build reads it (caches, editor and OS files): propose it whatever the build does;
   * - `untracked`: propose it only when git does not track it (a fresh clone has none, so no
   *   working build needs it); a tracked match is source until shown otherwise: review;
   * - `recreated`: propose it only when git does not track it and a RUN step runs one of
   *   `recreatedBy` (the image installs or builds its own); otherwise review;
   * - `unless-git`: propose it unless a RUN step runs `git` (VCS data);
   * - `review`: never proposed by default when a build may read it.
   */
  whenRead?: WhenRead;
  /** Commands that recreate the match inside the image (`npm`, `cargo`…), for `recreated`. */
  recreatedBy?: readonly string[];
  /** Commands that read the match when they run in the image (`.npmrc`: npm, pnpm, yarn). */
  readBy?: readonly string[];
}

/** See {@link ArtifactRule.whenRead}. */
export type WhenRead = 'exclude' | 'untracked' | 'recreated' | 'unless-git' | 'review';

/** An entry's {@link ArtifactRule.whenRead}, or its category's default. */
export function whenReadOf(rule: ArtifactRule): WhenRead {
  if (rule.whenRead) return rule.whenRead;
  switch (rule.category) {
    case 'python-cache':
    case 'node-cache':
    case 'build-cache':
    case 'editor':
    case 'os':
      return 'exclude';
    case 'vcs':
      return 'unless-git';
    case 'dependencies':
    case 'build-output':
      return 'recreated';
    case 'secrets':
    case 'logs':
    case 'test-output':
      return 'untracked';
    default:
      return 'review';
  }
}

/** Package managers that install Node packages (and read `.npmrc`). */
const NODE_INSTALLERS = ['npm', 'npx', 'pnpm', 'yarn', 'bun', 'corepack'] as const;
/** Tools that create a Python environment or install into one. */
const PYTHON_INSTALLERS = ['pip', 'pip3', 'uv', 'poetry', 'pipenv', 'pdm', 'conda', 'mamba', 'micromamba', 'virtualenv', 'venv', 'hatch'] as const;

type Row = Omit<ArtifactRule, 'neverDelete' | 'clean'> & { clean?: boolean; neverDelete?: boolean };

/** Regenerable cache: in clean's default set. */
const cache = (row: Row): ArtifactRule => ({ ...row, clean: true, neverDelete: false });
/** Known, but not deleted by default (build outputs, logs, editor files, reports…). */
const known = (row: Row): ArtifactRule => ({ ...row, clean: false, neverDelete: false });
/** Never deleted by clean: dependencies, VCS data, lockfiles, secrets. */
const keep = (row: Row): ArtifactRule => ({ ...row, clean: false, neverDelete: true });

/** The knowledge table. See the module comment for how entries match and which features use them. */
export const ARTIFACTS: readonly ArtifactRule[] = [
  // ---- Python caches: bytecode and tool caches, rebuilt on the next run -------------------------
  cache({ id: 'python-pycache', category: 'python-cache', ecosystem: 'python', kind: 'dir', pattern: '__pycache__', depth: 'any-depth',
    reason: 'Python bytecode cache, rewritten by the interpreter on the next import.', dockerignore: ['**/__pycache__'] }),
  cache({ id: 'python-bytecode', category: 'python-cache', ecosystem: 'python', kind: 'file', pattern: '*.py[co]', depth: 'any-depth',
    reason: 'Compiled Python bytecode, regenerated from the .py source on import.', dockerignore: ['**/*.py[co]'] }),
  cache({ id: 'pytest-cache', category: 'python-cache', ecosystem: 'python', kind: 'dir', pattern: '.pytest_cache', depth: 'any-depth',
    reason: "pytest's cache of last failures and durations; pytest recreates it.", dockerignore: ['**/.pytest_cache'] }),
  cache({ id: 'mypy-cache', category: 'python-cache', ecosystem: 'python', kind: 'dir', pattern: '.mypy_cache', depth: 'any-depth',
    reason: "mypy's incremental type-check cache; the next run rebuilds it.", dockerignore: ['**/.mypy_cache'] }),
  cache({ id: 'ruff-cache', category: 'python-cache', ecosystem: 'python', kind: 'dir', pattern: '.ruff_cache', depth: 'any-depth',
    reason: "Ruff's lint cache; the next run rebuilds it.", dockerignore: ['**/.ruff_cache'] }),
  cache({ id: 'pytype-cache', category: 'python-cache', ecosystem: 'python', kind: 'dir', pattern: '.pytype', depth: 'any-depth',
    reason: "pytype's inference cache; the next run rebuilds it.", dockerignore: ['**/.pytype'] }),

  // ---- Node.js and front-end tool caches --------------------------------------------------------
  cache({ id: 'node-modules-cache', category: 'node-cache', ecosystem: 'node', kind: 'dir', pattern: 'node_modules/.cache', depth: 'any-depth',
    reason: 'Build-tool cache (Babel, Terser, webpack loaders, ESLint) kept inside node_modules; tools recreate it.', dockerignore: ['**/node_modules/.cache'] }),
  cache({ id: 'vite-deps-cache', category: 'node-cache', ecosystem: 'node', kind: 'dir', pattern: 'node_modules/.vite', depth: 'any-depth',
    reason: "Vite's pre-bundled dependency cache; the dev server rebuilds it.", dockerignore: ['**/node_modules/.vite'] }),
  cache({ id: 'parcel-cache', category: 'node-cache', ecosystem: 'node', kind: 'dir', pattern: '.parcel-cache', depth: 'any-depth',
    reason: "Parcel's build cache; the next build recreates it.", dockerignore: ['**/.parcel-cache'] }),
  cache({ id: 'eslint-cache', category: 'node-cache', ecosystem: 'node', kind: 'file', pattern: '.eslintcache', depth: 'any-depth',
    reason: "ESLint's --cache file; the next lint recreates it.", dockerignore: ['**/.eslintcache'] }),
  cache({ id: 'stylelint-cache', category: 'node-cache', ecosystem: 'node', kind: 'file', pattern: '.stylelintcache', depth: 'any-depth',
    reason: "Stylelint's --cache file; the next lint recreates it.", dockerignore: ['**/.stylelintcache'] }),
  cache({ id: 'next-cache', category: 'node-cache', ecosystem: 'node', kind: 'dir', pattern: '.next/cache', depth: 'any-depth',
    reason: "Next.js's build cache (webpack, images); next build recreates it.", dockerignore: ['**/.next/cache'] }),
  cache({ id: 'turbo-cache', category: 'node-cache', ecosystem: 'node', kind: 'dir', pattern: '.turbo', depth: 'any-depth',
    reason: "Turborepo's local task cache and logs; turbo recreates them.", dockerignore: ['**/.turbo'] }),
  cache({ id: 'nx-cache', category: 'node-cache', ecosystem: 'node', kind: 'dir', pattern: '.nx/cache', depth: 'any-depth',
    reason: "Nx's local computation cache; nx recreates it.", dockerignore: ['**/.nx/cache'] }),
  cache({ id: 'angular-cache', category: 'node-cache', ecosystem: 'node', kind: 'dir', pattern: '.angular/cache', depth: 'any-depth',
    reason: "The Angular CLI's build cache; ng recreates it.", dockerignore: ['**/.angular/cache'] }),
  cache({ id: 'typescript-buildinfo', category: 'node-cache', ecosystem: 'node', kind: 'file', pattern: '*.tsbuildinfo', depth: 'any-depth',
    reason: "TypeScript's incremental build state; tsc rebuilds it (the next build is a full one).", dockerignore: ['**/*.tsbuildinfo'] }),
  cache({ id: 'npm-cache', category: 'node-cache', ecosystem: 'node', kind: 'dir', pattern: '.npm', depth: 'root',
    reason: "npm's download cache when CI points npm_config_cache at the project; npm refills it.", dockerignore: ['.npm'] }),

  // ---- Other build-tool caches ------------------------------------------------------------------
  cache({ id: 'gradle-cache', category: 'build-cache', ecosystem: 'jvm', kind: 'dir', pattern: '.gradle', depth: 'any-depth',
    siblings: ['build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts', 'gradlew'],
    // Only beside a Gradle build: a user-level ~/.gradle also holds gradle.properties (credentials).
    reason: "Gradle's per-project cache (task history, configuration cache); Gradle recreates it.", dockerignore: ['{path}'] }),
  cache({ id: 'sass-cache', category: 'build-cache', ecosystem: 'node', kind: 'dir', pattern: '.sass-cache', depth: 'any-depth',
    reason: "Sass's compilation cache; the next compile recreates it.", dockerignore: ['**/.sass-cache'] }),
  cache({ id: 'zig-cache', category: 'build-cache', ecosystem: 'zig', kind: 'dir', pattern: '.zig-cache', depth: 'any-depth',
    reason: "Zig's build cache; zig build recreates it.", dockerignore: ['**/.zig-cache'] }),
  cache({ id: 'zig-cache-legacy', category: 'build-cache', ecosystem: 'zig', kind: 'dir', pattern: 'zig-cache', depth: 'any-depth',
    reason: "Zig's build cache (name used before Zig 0.12); zig build recreates it.", dockerignore: ['**/zig-cache'] }),

  // ---- Test output ------------------------------------------------------------------------------
  cache({ id: 'nyc-output', category: 'test-output', ecosystem: 'node', kind: 'dir', pattern: '.nyc_output', depth: 'any-depth',
    reason: "nyc's raw coverage data, rewritten on every test run.", dockerignore: ['**/.nyc_output'], whenRead: 'exclude' }),
  known({ id: 'coverage-report', category: 'test-output', ecosystem: 'any', kind: 'dir', pattern: 'coverage', depth: 'any-depth',
    reason: 'Coverage reports belong to CI, not to an image; not deleted by default because "coverage" can also be a source folder.', dockerignore: ['**/coverage'], whenRead: 'review' }),
  known({ id: 'python-htmlcov', category: 'test-output', ecosystem: 'python', kind: 'dir', pattern: 'htmlcov', depth: 'any-depth',
    reason: "coverage.py's HTML report; a report, not a cache, so it is not deleted by default.", dockerignore: ['**/htmlcov'] }),
  known({ id: 'python-coverage-data', category: 'test-output', ecosystem: 'python', kind: 'file', pattern: '.coverage', depth: 'any-depth',
    reason: "coverage.py's data file; a test result, not needed in an image.", dockerignore: ['**/.coverage'] }),
  known({ id: 'hypothesis-db', category: 'test-output', ecosystem: 'python', kind: 'dir', pattern: '.hypothesis', depth: 'any-depth',
    reason: "Hypothesis's example database; it keeps failing examples, so it is not deleted by default.", dockerignore: ['**/.hypothesis'] }),
  known({ id: 'jupyter-checkpoints', category: 'editor', ecosystem: 'python', kind: 'dir', pattern: '.ipynb_checkpoints', depth: 'any-depth',
    reason: "Jupyter's autosaved notebook copies; they may hold unsaved work, so they are not deleted by default.", dockerignore: ['**/.ipynb_checkpoints'] }),

  // ---- Dependencies: reinstalled inside the image, never deleted by clean -----------------------
  keep({ id: 'node-modules', category: 'dependencies', ecosystem: 'node', kind: 'dir', pattern: 'node_modules', depth: 'any-depth',
    reason: 'Installed packages: the image installs its own (npm ci), and host builds may hold native binaries for the wrong platform.', dockerignore: ['**/node_modules'], recreatedBy: NODE_INSTALLERS }),
  keep({ id: 'python-venv', category: 'dependencies', ecosystem: 'python', kind: 'dir', pattern: '*', depth: 'any-depth', contains: ['pyvenv.cfg', 'conda-meta'],
    reason: 'A Python virtual environment (it holds pyvenv.cfg or conda-meta): tied to the host interpreter; the image creates its own.', dockerignore: ['{path}'], recreatedBy: PYTHON_INSTALLERS }),
  keep({ id: 'python-dot-venv', category: 'dependencies', ecosystem: 'python', kind: 'dir', pattern: '.venv', depth: 'any-depth',
    reason: 'A Python virtual environment: tied to the host interpreter; the image creates its own.', dockerignore: ['**/.venv'], recreatedBy: PYTHON_INSTALLERS }),
  keep({ id: 'python-venv-dir', category: 'dependencies', ecosystem: 'python', kind: 'dir', pattern: 'venv', depth: 'any-depth',
    reason: 'A Python virtual environment: tied to the host interpreter; the image creates its own.', dockerignore: ['**/venv'], recreatedBy: PYTHON_INSTALLERS }),
  keep({ id: 'python-tox', category: 'dependencies', ecosystem: 'python', kind: 'dir', pattern: '.tox', depth: 'any-depth',
    reason: "tox's virtual environments: host-specific and large.", dockerignore: ['**/.tox'], recreatedBy: ['tox'] }),
  keep({ id: 'python-nox', category: 'dependencies', ecosystem: 'python', kind: 'dir', pattern: '.nox', depth: 'any-depth',
    reason: "nox's virtual environments: host-specific and large.", dockerignore: ['**/.nox'], recreatedBy: ['nox'] }),
  keep({ id: 'python-eggs', category: 'dependencies', ecosystem: 'python', kind: 'dir', pattern: '.eggs', depth: 'any-depth',
    reason: 'Packages fetched by setuptools for the build; reinstalled in the image.', dockerignore: ['**/.eggs'], recreatedBy: PYTHON_INSTALLERS }),
  keep({ id: 'direnv', category: 'dependencies', ecosystem: 'any', kind: 'dir', pattern: '.direnv', depth: 'any-depth',
    reason: "direnv's per-project environments (often a virtual environment); host-specific.", dockerignore: ['**/.direnv'], whenRead: 'untracked' }),
  keep({ id: 'yarn-cache', category: 'dependencies', ecosystem: 'node', kind: 'dir', pattern: '.yarn/cache', depth: 'any-depth',
    reason: "Yarn's offline package cache; with zero-installs it is committed, so it is never deleted.", dockerignore: [] }),
  keep({ id: 'pnpm-store', category: 'dependencies', ecosystem: 'node', kind: 'dir', pattern: '.pnpm-store', depth: 'any-depth',
    reason: "pnpm's content-addressed store when placed in the project; the image installs its own.", dockerignore: ['**/.pnpm-store'], recreatedBy: ['pnpm'] }),
  keep({ id: 'php-vendor', category: 'dependencies', ecosystem: 'php', kind: 'dir', pattern: 'vendor', depth: 'any-depth', siblings: ['composer.json'],
    reason: "Composer's installed packages; composer install recreates them in the image.", dockerignore: ['{path}'], recreatedBy: ['composer'] }),
  keep({ id: 'ruby-vendor-bundle', category: 'dependencies', ecosystem: 'ruby', kind: 'dir', pattern: 'vendor/bundle', depth: 'any-depth',
    reason: "Bundler's installed gems; bundle install recreates them in the image.", dockerignore: ['**/vendor/bundle'], recreatedBy: ['bundle', 'bundler'] }),
  keep({ id: 'go-vendor', category: 'dependencies', ecosystem: 'go', kind: 'dir', pattern: 'vendor', depth: 'any-depth', siblings: ['go.mod'],
    reason: 'Vendored Go modules: builds with -mod=vendor need them, so they stay in the context and are never deleted.', dockerignore: [] }),
  keep({ id: 'elm-stuff', category: 'dependencies', ecosystem: 'any', kind: 'dir', pattern: 'elm-stuff', depth: 'any-depth',
    reason: "Elm's downloaded packages and build artifacts; elm make recreates them.", dockerignore: ['**/elm-stuff'], recreatedBy: ['elm'] }),
  keep({ id: 'terraform-dir', category: 'dependencies', ecosystem: 'terraform', kind: 'dir', pattern: '.terraform', depth: 'any-depth',
    reason: 'Terraform providers and modules downloaded by terraform init; large and host-specific.', dockerignore: ['**/.terraform'], recreatedBy: ['terraform'] }),

  // ---- Build outputs: regenerable, but a user may rely on them; never in clean's default set ----
  known({ id: 'next-build', category: 'build-output', ecosystem: 'node', kind: 'dir', pattern: '.next', depth: 'any-depth',
    reason: 'Next.js build output: the image builds its own (keep it only if the Dockerfile copies a prebuilt app).', dockerignore: ['**/.next'] }),
  known({ id: 'nuxt-build', category: 'build-output', ecosystem: 'node', kind: 'dir', pattern: '.nuxt', depth: 'any-depth',
    reason: 'Nuxt build output: the image builds its own.', dockerignore: ['**/.nuxt'] }),
  known({ id: 'svelte-kit', category: 'build-output', ecosystem: 'node', kind: 'dir', pattern: '.svelte-kit', depth: 'any-depth',
    reason: 'SvelteKit generated files and build output: the image builds its own.', dockerignore: ['**/.svelte-kit'] }),
  known({ id: 'dist', category: 'build-output', ecosystem: 'any', kind: 'dir', pattern: 'dist', depth: 'any-depth',
    reason: 'Build output: the image usually builds its own (keep it when the Dockerfile copies a prebuilt dist).', dockerignore: ['**/dist'] }),
  known({ id: 'build', category: 'build-output', ecosystem: 'any', kind: 'dir', pattern: 'build', depth: 'any-depth',
    reason: 'Build output: the image usually builds its own (keep it when the Dockerfile copies it).', dockerignore: ['**/build'] }),
  known({ id: 'rust-target', category: 'build-output', ecosystem: 'rust', kind: 'dir', pattern: 'target', depth: 'any-depth', siblings: ['Cargo.toml'],
    reason: "Cargo's build directory: often gigabytes, and the image compiles its own.", dockerignore: ['{path}'], recreatedBy: ['cargo'] }),
  known({ id: 'maven-target', category: 'build-output', ecosystem: 'jvm', kind: 'dir', pattern: 'target', depth: 'any-depth', siblings: ['pom.xml'],
    reason: "Maven's build directory: the image builds its own jar.", dockerignore: ['{path}'], recreatedBy: ['mvn', 'mvnw'] }),
  known({ id: 'sbt-target', category: 'build-output', ecosystem: 'jvm', kind: 'dir', pattern: 'target', depth: 'any-depth', siblings: ['build.sbt'],
    reason: "sbt's build directory: the image builds its own.", dockerignore: ['{path}'], recreatedBy: ['sbt'] }),
  known({ id: 'dotnet-bin', category: 'build-output', ecosystem: 'dotnet', kind: 'dir', pattern: 'bin', depth: 'any-depth', siblings: ['*.csproj', '*.fsproj', '*.vbproj'],
    reason: '.NET build output: dotnet publish in the image produces its own.', dockerignore: ['{path}'], recreatedBy: ['dotnet'] }),
  known({ id: 'dotnet-obj', category: 'build-output', ecosystem: 'dotnet', kind: 'dir', pattern: 'obj', depth: 'any-depth', siblings: ['*.csproj', '*.fsproj', '*.vbproj'],
    reason: '.NET intermediate build files: host-specific, and dotnet restore in the image recreates them.', dockerignore: ['{path}'], recreatedBy: ['dotnet'] }),
  known({ id: 'python-egg-info', category: 'build-output', ecosystem: 'python', kind: 'dir', pattern: '*.egg-info', depth: 'any-depth',
    reason: 'setuptools metadata; an editable install (pip install -e) needs it, so it is not deleted by default.', dockerignore: ['**/*.egg-info'], recreatedBy: PYTHON_INSTALLERS }),
  known({ id: 'elixir-build', category: 'build-output', ecosystem: 'elixir', kind: 'dir', pattern: '_build', depth: 'any-depth', siblings: ['mix.exs'],
    reason: "Mix's build directory: host-specific compiled code.", dockerignore: ['{path}'], recreatedBy: ['mix'] }),
  known({ id: 'haskell-stack-work', category: 'build-output', ecosystem: 'haskell', kind: 'dir', pattern: '.stack-work', depth: 'any-depth',
    reason: "Stack's build directory: large and host-specific.", dockerignore: ['**/.stack-work'], recreatedBy: ['stack'] }),

  // ---- Version control --------------------------------------------------------------------------
  keep({ id: 'git', category: 'vcs', ecosystem: 'any', kind: 'any', pattern: '.git', depth: 'any-depth',
    reason: 'Git history: often the heaviest directory, never needed by a build, and it may hold secrets from old commits.', dockerignore: ['**/.git'] }),
  keep({ id: 'mercurial', category: 'vcs', ecosystem: 'any', kind: 'dir', pattern: '.hg', depth: 'any-depth',
    reason: 'Mercurial history: never needed by a build.', dockerignore: ['**/.hg'] }),
  keep({ id: 'subversion', category: 'vcs', ecosystem: 'any', kind: 'dir', pattern: '.svn', depth: 'any-depth',
    reason: 'Subversion metadata: never needed by a build.', dockerignore: ['**/.svn'] }),

  // ---- Lockfiles: must stay in a context, never deleted -----------------------------------------
  ...(
    [
      ['npm-lockfile', 'node', 'package-lock.json'],
      ['npm-shrinkwrap', 'node', 'npm-shrinkwrap.json'],
      ['yarn-lockfile', 'node', 'yarn.lock'],
      ['pnpm-lockfile', 'node', 'pnpm-lock.yaml'],
      ['bun-lockfile', 'node', 'bun.lockb'],
      ['bun-text-lockfile', 'node', 'bun.lock'],
      ['poetry-lockfile', 'python', 'poetry.lock'],
      ['pipenv-lockfile', 'python', 'Pipfile.lock'],
      ['uv-lockfile', 'python', 'uv.lock'],
      ['pdm-lockfile', 'python', 'pdm.lock'],
      ['cargo-lockfile', 'rust', 'Cargo.lock'],
      ['go-sum', 'go', 'go.sum'],
      ['composer-lockfile', 'php', 'composer.lock'],
      ['bundler-lockfile', 'ruby', 'Gemfile.lock'],
      ['mix-lockfile', 'elixir', 'mix.lock'],
      ['nuget-lockfile', 'dotnet', 'packages.lock.json'],
      ['terraform-lockfile', 'terraform', '.terraform.lock.hcl'],
    ] as const
  ).map(([id, ecosystem, name]) =>
    keep({ id, category: 'lockfile', ecosystem, kind: 'file', pattern: name, depth: 'any-depth',
      reason: 'A lockfile: reproducible installs in the image need it; never ignored, never deleted.', dockerignore: [] }),
  ),

  // ---- Logs -------------------------------------------------------------------------------------
  known({ id: 'npm-debug-log', category: 'logs', ecosystem: 'node', kind: 'file', pattern: 'npm-debug.log*', depth: 'any-depth',
    reason: "npm's crash log: local debugging output, useless in an image.", dockerignore: ['**/npm-debug.log*'] }),
  known({ id: 'yarn-log', category: 'logs', ecosystem: 'node', kind: 'file', pattern: 'yarn-*.log*', depth: 'any-depth',
    reason: "Yarn's error and debug logs: local debugging output, useless in an image.", dockerignore: ['**/yarn-*.log*'] }),
  known({ id: 'log-files', category: 'logs', ecosystem: 'any', kind: 'file', pattern: '*.log', depth: 'any-depth',
    reason: 'Log files: local run output that grows without bound and may hold secrets; not deleted by default because a user may still need them.', dockerignore: ['**/*.log'] }),
  known({ id: 'logs-dir', category: 'logs', ecosystem: 'any', kind: 'dir', pattern: 'logs', depth: 'root',
    reason: 'A local log directory: run output, not source.', dockerignore: ['logs'] }),

  // ---- Editors and operating systems -----------------------------------------------------------
  known({ id: 'jetbrains', category: 'editor', ecosystem: 'any', kind: 'dir', pattern: '.idea', depth: 'any-depth',
    reason: 'JetBrains IDE settings: personal, edited by the user, irrelevant to a build.', dockerignore: ['**/.idea'] }),
  known({ id: 'vscode', category: 'editor', ecosystem: 'any', kind: 'dir', pattern: '.vscode', depth: 'any-depth',
    reason: 'VS Code settings: edited by the user, irrelevant to a build.', dockerignore: ['**/.vscode'] }),
  known({ id: 'vim-swap', category: 'editor', ecosystem: 'any', kind: 'file', pattern: '*.sw[op]', depth: 'any-depth',
    reason: 'Vim swap files: they belong to an open editor session (deleting one loses its recovery data).', dockerignore: ['**/*.sw[op]'] }),
  known({ id: 'backup-files', category: 'editor', ecosystem: 'any', kind: 'file', pattern: '*~', depth: 'any-depth',
    reason: 'Editor backup copies: local, irrelevant to a build.', dockerignore: ['**/*~'] }),
  known({ id: 'editor-history', category: 'editor', ecosystem: 'any', kind: 'dir', pattern: '.history', depth: 'any-depth',
    reason: "An editor's local file history: personal, irrelevant to a build.", dockerignore: ['**/.history'] }),
  known({ id: 'macos-ds-store', category: 'os', ecosystem: 'any', kind: 'file', pattern: '.DS_Store', depth: 'any-depth',
    reason: "macOS Finder's folder metadata: irrelevant to a build.", dockerignore: ['**/.DS_Store'] }),
  known({ id: 'macos-resource-fork', category: 'os', ecosystem: 'any', kind: 'file', pattern: '._*', depth: 'any-depth',
    reason: 'macOS resource-fork files written on foreign file systems: irrelevant to a build.', dockerignore: ['**/._*'] }),
  known({ id: 'windows-thumbs', category: 'os', ecosystem: 'any', kind: 'file', pattern: 'Thumbs.db', depth: 'any-depth',
    reason: "Windows Explorer's thumbnail cache: irrelevant to a build.", dockerignore: ['**/Thumbs.db'] }),
  known({ id: 'windows-desktop-ini', category: 'os', ecosystem: 'any', kind: 'file', pattern: 'desktop.ini', depth: 'any-depth',
    reason: "Windows Explorer's folder settings: irrelevant to a build.", dockerignore: ['**/desktop.ini'] }),

  // ---- Secrets: never in a context, never deleted ------------------------------------------------
  keep({ id: 'dotenv', category: 'secrets', ecosystem: 'any', kind: 'file', pattern: '.env', depth: 'any-depth',
    reason: 'Environment file with local credentials: anything in the context can end up in an image layer.', dockerignore: ['**/.env'] }),
  keep({ id: 'dotenv-variants', category: 'secrets', ecosystem: 'any', kind: 'file', pattern: '.env.*', depth: 'any-depth',
    except: ['.env.example', '.env.sample', '.env.template', '.env.dist', '.env.defaults'],
    reason: 'Environment files (.env.local, .env.production…) with credentials; templates such as .env.example are fine.',
    dockerignore: ['**/.env.*', '!**/.env.example', '!**/.env.sample', '!**/.env.template', '!**/.env.dist', '!**/.env.defaults'] }),
  keep({ id: 'pem-keys', category: 'secrets', ecosystem: 'any', kind: 'file', pattern: '*.pem', depth: 'any-depth',
    reason: 'PEM certificates and private keys: pass keys to a build as secrets, never through the context.', dockerignore: ['**/*.pem'] }),
  keep({ id: 'key-files', category: 'secrets', ecosystem: 'any', kind: 'file', pattern: '*.key', depth: 'any-depth',
    reason: 'Private key files: pass keys to a build as secrets, never through the context.', dockerignore: ['**/*.key'] }),
  ...(['id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519'] as const).map((name) =>
    keep({ id: `ssh-key-${name.slice(3)}`, category: 'secrets', ecosystem: 'any', kind: 'file', pattern: name, depth: 'any-depth',
      reason: 'An SSH private key: use RUN --mount=type=ssh instead of sending it in the context.', dockerignore: [`**/${name}`] }),
  ),
  keep({ id: 'pkcs12', category: 'secrets', ecosystem: 'any', kind: 'file', pattern: '*.p12', depth: 'any-depth',
    reason: 'PKCS#12 key stores hold private keys: never through the context.', dockerignore: ['**/*.p12'] }),
  keep({ id: 'pfx', category: 'secrets', ecosystem: 'any', kind: 'file', pattern: '*.pfx', depth: 'any-depth',
    reason: 'PFX key stores hold private keys: never through the context.', dockerignore: ['**/*.pfx'] }),
  keep({ id: 'java-keystore', category: 'secrets', ecosystem: 'jvm', kind: 'file', pattern: '*.jks', depth: 'any-depth',
    reason: 'Java key stores hold private keys: never through the context.', dockerignore: ['**/*.jks'] }),
  keep({ id: 'npmrc', category: 'secrets', ecosystem: 'node', kind: 'file', pattern: '.npmrc', depth: 'any-depth',
    reason: '.npmrc often carries a registry token: pass it with RUN --mount=type=secret instead.', dockerignore: ['**/.npmrc'], readBy: NODE_INSTALLERS }),
  keep({ id: 'pypirc', category: 'secrets', ecosystem: 'python', kind: 'file', pattern: '.pypirc', depth: 'any-depth',
    reason: '.pypirc holds package-index credentials.', dockerignore: ['**/.pypirc'] }),
  keep({ id: 'git-credentials', category: 'secrets', ecosystem: 'any', kind: 'file', pattern: '.git-credentials', depth: 'any-depth',
    reason: "Git's stored credentials in plain text.", dockerignore: ['**/.git-credentials'] }),
  keep({ id: 'netrc', category: 'secrets', ecosystem: 'any', kind: 'file', pattern: '.netrc', depth: 'any-depth',
    reason: 'Plain-text login credentials for curl, git and others.', dockerignore: ['**/.netrc'] }),
  keep({ id: 'terraform-state', category: 'secrets', ecosystem: 'terraform', kind: 'file', pattern: '*.tfstate', depth: 'any-depth',
    reason: 'Terraform state stores resource secrets in plain text.', dockerignore: ['**/*.tfstate'] }),
  keep({ id: 'terraform-state-backup', category: 'secrets', ecosystem: 'terraform', kind: 'file', pattern: '*.tfstate.backup', depth: 'any-depth',
    reason: 'Terraform state backups store resource secrets in plain text.', dockerignore: ['**/*.tfstate.backup'] }),
  keep({ id: 'aws-credentials', category: 'secrets', ecosystem: 'any', kind: 'dir', pattern: '.aws', depth: 'any-depth',
    reason: 'AWS CLI credentials and configuration.', dockerignore: ['**/.aws'] }),
  keep({ id: 'kubeconfig', category: 'secrets', ecosystem: 'any', kind: 'file', pattern: 'kubeconfig', depth: 'any-depth',
    reason: 'Kubernetes cluster credentials.', dockerignore: ['**/kubeconfig'] }),
  keep({ id: 'kube-dir', category: 'secrets', ecosystem: 'any', kind: 'dir', pattern: '.kube', depth: 'any-depth',
    reason: 'Kubernetes cluster credentials (kubeconfig) and caches.', dockerignore: ['**/.kube'] }),
];

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/** What a path is, for matching. Symbolic links and special files match no entry. */
export type MatchKind = 'dir' | 'file';

/**
 * File-system facts that some entries need (see the module comment). Without them, entries with
 * `siblings` or `contains` do not match: the safe answer for both `clean` and `suggest`.
 */
export interface MatchContext {
  /** The names in the path's parent directory (the path's own name may be among them). */
  siblings?: readonly string[];
  /** Whether the directory at the path holds an entry with this name. */
  contains?: (name: string) => boolean;
}

interface CompiledRule<R extends ArtifactPattern> {
  rule: R;
  order: number;
  segments: NameGlob[];
  except: NameGlob[];
  siblings: NameGlob[];
}

function compileRule<R extends ArtifactPattern>(rule: R, order: number): CompiledRule<R> {
  return {
    rule,
    order,
    segments: rule.pattern.split('/').map(compileNameGlob),
    except: (rule.except ?? []).map(compileNameGlob),
    siblings: (rule.siblings ?? []).map(compileNameGlob),
  };
}

function kindMatches(wanted: ArtifactKind, kind: MatchKind): boolean {
  return wanted === 'any' || wanted === kind;
}

function segmentsMatch(compiled: CompiledRule<ArtifactPattern>, parts: readonly string[]): boolean {
  const { segments } = compiled;
  const offset = parts.length - segments.length;
  if (offset < 0) return false;
  if (compiled.rule.depth === 'root' && offset !== 0) return false;
  for (let i = 0; i < segments.length; i++) {
    if (!segments[i]!.test(parts[offset + i]!)) return false;
  }
  return true;
}

function conditionsHold(compiled: CompiledRule<ArtifactPattern>, name: string, context: MatchContext | undefined): boolean {
  if (compiled.except.some((glob) => glob.test(name))) return false;
  if (compiled.siblings.length > 0) {
    const siblings = context?.siblings;
    if (!siblings || !siblings.some((s) => s !== name && compiled.siblings.some((glob) => glob.test(s)))) return false;
  }
  const contains = compiled.rule.contains;
  if (contains && contains.length > 0) {
    if (!context?.contains || !contains.some((n) => context.contains!(n))) return false;
  }
  return true;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/** Paths from a walk are already clean; only odd input (`./a`, `a//b`, `a/`) pays for normalising. */
const NEEDS_NORMALISING = /(^|\/)\.?(\/|$)|^\/|\/$/;

/**
 * A set of patterns compiled once and indexed by their last name, so that matching a path costs a
 * map lookup plus the few wildcard patterns. A single-name, any-depth pattern (most of the table)
 * only ever looks at the path's last name; the path is split only for the others.
 * Works on table entries and on user patterns alike.
 */
export class ArtifactMatcher<R extends ArtifactPattern = ArtifactRule> {
  readonly rules: readonly R[];
  private readonly byLastName = new Map<string, CompiledRule<R>[]>();
  /** Patterns whose last name has a wildcard, in table order. */
  private readonly wildcard: CompiledRule<R>[] = [];
  /**
   * The wildcard patterns that can match a name ending in a given character, in table order: those
   * whose last name ends in that literal character, and those ending in `*`, `?` or a class.
   */
  private readonly wildcardByLastChar = new Map<string, CompiledRule<R>[]>();
  private readonly compiled: CompiledRule<R>[];

  /** Throws GlobSyntaxError when a pattern is malformed. */
  constructor(rules: readonly R[]) {
    this.rules = rules;
    this.compiled = rules.map((rule, i) => compileRule(rule, i));
    for (const c of this.compiled) {
      const last = c.segments[c.segments.length - 1]!;
      if (last.literal !== null) {
        const list = this.byLastName.get(last.literal) ?? [];
        list.push(c);
        this.byLastName.set(last.literal, list);
      } else {
        this.wildcard.push(c);
      }
    }
  }

  /** The first entry (in table order) that matches this relative path, or null. */
  match(path: string, kind: MatchKind, context?: MatchContext): R | null {
    const p = NEEDS_NORMALISING.test(path) ? splitPath(path).join('/') : path;
    if (p === '') return null;
    const name = p.slice(p.lastIndexOf('/') + 1);
    let best: CompiledRule<R> | null = null;
    // Both lists are in table order, so the first hit of each is its best.
    for (const c of this.byLastName.get(name) ?? []) {
      if (this.accepts(c, p, name, kind, context, true)) {
        best = c;
        break;
      }
    }
    for (const c of this.wildcard) {
      if (best !== null && c.order > best.order) break;
      if (this.accepts(c, p, name, kind, context, false)) {
        best = c;
        break;
      }
    }
    return best === null ? null : best.rule;
  }

  /** Every matching entry, in table order. */
  matchAll(path: string, kind: MatchKind, context?: MatchContext): R[] {
    const p = NEEDS_NORMALISING.test(path) ? splitPath(path).join('/') : path;
    if (p === '') return [];
    const name = p.slice(p.lastIndexOf('/') + 1);
    // Only the entries indexed under this last name, and those with a wildcard there, can match.
    const hits: CompiledRule<R>[] = [];
    for (const c of this.byLastName.get(name) ?? []) if (this.accepts(c, p, name, kind, context, true)) hits.push(c);
    const literal = hits.length;
    for (const c of this.wildcardEndingIn(name[name.length - 1]!)) if (this.accepts(c, p, name, kind, context, false)) hits.push(c);
    if (literal > 0 && hits.length > literal) hits.sort((x, y) => x.order - y.order);
    return hits.map((c) => c.rule);
  }

  /**
   * The entries whose pattern reaches strictly below this directory path: those with more than
   * one name whose leading names match the end of `dirPath` (`node_modules/.cache` for
   * `web/node_modules`). `clean` uses it to look inside a directory it must not otherwise enter.
   */
  rulesBelow(dirPath: string): R[] {
    const parts = splitPath(dirPath);
    return this.compiled
      .filter((c) => {
        if (c.segments.length < 2) return false;
        const parent = { ...c, segments: c.segments.slice(0, -1) };
        return segmentsMatch(parent, parts);
      })
      .map((c) => c.rule);
  }

  private wildcardEndingIn(last: string): CompiledRule<R>[] {
    let list = this.wildcardByLastChar.get(last);
    if (list === undefined) {
      // A name glob is anchored at the end: a last literal character must be the name's last.
      list = this.wildcard.filter((c) => {
        const source = c.segments[c.segments.length - 1]!.source;
        const end = source[source.length - 1]!;
        return end === '*' || end === '?' || end === ']' || end === last;
      });
      this.wildcardByLastChar.set(last, list);
    }
    return list;
  }

  /** `lastNameKnown`: the last name already matched (it was the index key). */
  private accepts(c: CompiledRule<R>, p: string, name: string, kind: MatchKind, context: MatchContext | undefined, lastNameKnown: boolean): boolean {
    if (!kindMatches(c.rule.kind, kind)) return false;
    if (c.segments.length === 1) {
      if (!lastNameKnown && !c.segments[0]!.test(name)) return false;
      if (c.rule.depth === 'root' && p.includes('/')) return false;
    } else if (!segmentsMatch(c, p.split('/'))) {
      return false;
    }
    return conditionsHold(c, name, context);
  }
}

let defaultMatcher: ArtifactMatcher | null = null;

/** The matcher over the whole table, built on first use. */
export function artifactMatcher(): ArtifactMatcher {
  defaultMatcher ??= new ArtifactMatcher(ARTIFACTS);
  return defaultMatcher;
}

/** The first table entry that matches this relative path (`a/b/__pycache__`), or null. */
export function findArtifact(path: string, kind: MatchKind, context?: MatchContext): ArtifactRule | null {
  return artifactMatcher().match(path, kind, context);
}

/** Whether one pattern (a table entry or a parsed user pattern) matches this relative path. */
export function matchesArtifact(rule: ArtifactPattern, path: string, kind: MatchKind, context?: MatchContext): boolean {
  return new ArtifactMatcher([rule]).match(path, kind, context) !== null;
}

/** The table entry with this id, or undefined. */
export function artifactById(id: string): ArtifactRule | undefined {
  return ARTIFACTS.find((rule) => rule.id === id);
}

/** The categories that have at least one entry in clean's default set, in table order. */
export function cleanableCategories(): ArtifactCategory[] {
  return [...new Set(ARTIFACTS.filter((rule) => rule.clean).map((rule) => rule.category))];
}

/**
 * The `.dockerignore` lines to propose for an entry that matched `matchedPath` (relative to the
 * context root): the entry's lines with `{path}` replaced by that path. Lines are in Docker syntax
 * (paths are relative to the root; no leading `/` is needed).
 */
export function dockerignoreLinesFor(rule: ArtifactRule, matchedPath: string): string[] {
  const path = splitPath(matchedPath).join('/');
  return rule.dockerignore.map((line) => line.replaceAll('{path}', path));
}

/**
 * Parse a user pattern (`ctxsize clean --include`/`--exclude`) into the table's shape:
 *
 * - `NAME` or `a/b`: matches those trailing names at any depth (`.cache`, `*.tmp`, `out/cache`);
 * - a leading `/` anchors it at the root (`/tmp`); a leading `**\/` is accepted and means any depth;
 * - a trailing `/` matches directories only; otherwise files and directories both match.
 *
 * Throws GlobSyntaxError for an empty or malformed pattern.
 */
export function parseArtifactPattern(text: string): ArtifactPattern {
  let body = text.trim();
  let depth: ArtifactDepth = 'any-depth';
  let kind: ArtifactKind = 'any';
  if (body.startsWith('/')) {
    depth = 'root';
    body = body.replace(/^\/+/, '');
  } else {
    while (body.startsWith('**/')) body = body.slice(3);
    if (body.startsWith('./')) {
      depth = 'root';
      body = body.replace(/^(\.\/)+/, '');
    }
  }
  if (body.endsWith('/')) {
    kind = 'dir';
    body = body.replace(/\/+$/, '');
  }
  const parts = body.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0) throw new GlobSyntaxError(`${JSON.stringify(text)}: empty pattern`);
  if (parts.some((part) => part === '..')) throw new GlobSyntaxError(`${JSON.stringify(text)}: ".." is not allowed`);
  if (parts.some((part) => part === '**')) throw new GlobSyntaxError(`${JSON.stringify(text)}: "**" is only allowed at the start`);
  const pattern: ArtifactPattern = { pattern: parts.join('/'), kind, depth };
  parts.forEach(compileNameGlob); // report a malformed glob now, not at match time
  return pattern;
}

/**
 * Whether an `.npmrc` holds a credential written out: a `_authToken`, `_auth`, `_password` or
 * `password` setting whose value is not only an environment reference (`${NPM_TOKEN}` is filled in
 * by npm at run time: the file itself holds no secret). Without one the file is configuration
 * (`shamefully-hoist=true`, a registry URL) that npm, pnpm and yarn read.
 */
export function npmrcHoldsCredential(text: string): boolean {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq === -1) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
    if (!/(^|:)(_authToken|_auth|_password|password|token)$/i.test(key)) continue;
    if (value === '' || /^(\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)$/.test(value)) continue;
    return true;
  }
  return false;
}
