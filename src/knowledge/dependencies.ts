/**
 * What ctxsize knows about dependency tools: the manifest and lock files an install reads, the
 * commands that install from them alone, what the install writes into the project, and where the
 * tool keeps its download cache. ONE table: `ctxsize cache` uses it to recognise a dependency step
 * that a broad COPY busts, and to propose copying the manifests first.
 *
 * An install command counts as "from the manifests alone" only when the tool reads nothing else
 * of the project: `poetry install` also installs the project itself (it needs the source) unless
 * `--no-root`; `composer install` runs the project's scripts unless `--no-scripts`; npm, pnpm and
 * yarn run the root package's install scripts (checked in package.json by the caller).
 */

/** One dependency tool. */
export interface DependencyTool {
  /** Stable id, used in JSON. */
  id: string;
  /** The name people know it by. */
  name: string;
  /**
   * Files the install reads, relative to the project directory. The first group must exist (one of
   * them at least); the others are copied too when they exist.
   */
  manifests: string[];
  /** Lock files and tool configuration the install also reads when they exist. */
  locks: string[];
  /** Directories the install reads when they exist (the Yarn release a `.yarnrc.yml` points to). */
  dirs?: string[];
  /** Shell command segments that install from the manifests alone. */
  install: RegExp[];
  /**
   * Segments that are this tool's install but also read the project's source (so moving them
   * before the source is copied would break the build), with what to do instead.
   */
  installNeedsSource?: { pattern: RegExp; advice: string }[];
  /** Where the install writes into the project directory (a copy of the context must not overwrite it). */
  outputs: string[];
  /** The download cache, for `RUN --mount=type=cache,target=…`. */
  cacheTarget?: string;
  /** The root package's lifecycle scripts run by the install (package.json `scripts` keys). */
  lifecycleScripts?: string[];
  /**
   * What in a manifest makes the install read more than the table's files (workspaces, members,
   * modules): then the reordering is shown for review, not written.
   */
  readsMore?: { file: string; pattern: RegExp; reason: string }[];
  /** Why the entry is what it is. */
  reason: string;
}

/** Segments that only configure a tool before it installs (allowed in the same RUN). */
export const SETUP_COMMANDS: RegExp[] = [
  /^corepack (enable|prepare)\b/,
  /^(npm|yarn|pnpm) config set\b/,
  /^(python3? -m )?pip3? install (-U |--upgrade )(pip|setuptools|wheel)( (pip|setuptools|wheel))*$/,
  /^(python3? -m )?pip3? install( --no-cache-dir)? (poetry|pipenv|uv)([=<>~!]=?[\w.*]+)?$/,
  /^poetry config\b/,
  /^bundle config\b/,
  /^gem install bundler\b/,
  /^npm (i|install) -g (npm|pnpm|yarn)(@[\w.]+)?$/,
];

const NPM_HOOKS = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'];

export const DEPENDENCY_TOOLS: DependencyTool[] = [
  {
    id: 'npm',
    name: 'npm',
    manifests: ['package.json'],
    locks: ['package-lock.json', 'npm-shrinkwrap.json', '.npmrc'],
    install: [/^npm (ci|install|i)( --?[\w-]+(=\S+)?)*$/],
    outputs: ['node_modules'],
    cacheTarget: '/root/.npm',
    lifecycleScripts: NPM_HOOKS,
    readsMore: [{ file: 'package.json', pattern: /"workspaces"\s*:/, reason: 'package.json declares workspaces: the install also reads each workspace\'s package.json' }],
    reason: 'npm ci / npm install without package names read package.json and the lock file',
  },
  {
    id: 'pnpm',
    name: 'pnpm',
    manifests: ['package.json'],
    locks: ['pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc', '.pnpmfile.cjs'],
    install: [/^pnpm (install|i|fetch)( --?[\w-]+(=\S+)?)*$/],
    outputs: ['node_modules'],
    cacheTarget: '/root/.local/share/pnpm/store',
    lifecycleScripts: NPM_HOOKS,
    readsMore: [{ file: 'pnpm-workspace.yaml', pattern: /packages\s*:/, reason: 'pnpm-workspace.yaml lists packages: the install also reads their package.json' }],
    reason: 'pnpm install reads package.json, the lock file and the workspace file',
  },
  {
    id: 'yarn',
    name: 'Yarn',
    manifests: ['package.json'],
    locks: ['yarn.lock', '.yarnrc', '.yarnrc.yml', '.npmrc'],
    dirs: ['.yarn/releases', '.yarn/plugins', '.yarn/patches'],
    install: [/^yarn( install)?( --?[\w-]+(=\S+)?)*$/],
    outputs: ['node_modules', '.yarn/cache', '.pnp.cjs'],
    cacheTarget: '/usr/local/share/.cache/yarn',
    lifecycleScripts: NPM_HOOKS,
    readsMore: [{ file: 'package.json', pattern: /"workspaces"\s*:/, reason: 'package.json declares workspaces: the install also reads each workspace\'s package.json' }],
    reason: 'yarn install reads package.json, yarn.lock and the Yarn configuration (and the release it names)',
  },
  {
    id: 'pip',
    name: 'pip',
    manifests: ['requirements.txt'],
    locks: [],
    install: [/^(python3? -m )?pip3? install( --?[\w-]+(=\S+)?)* (-r|--requirement)[ =]\S+( --?[\w-]+(=\S+)?| (-r|--requirement|-c|--constraint)[ =]\S+)*$/],
    installNeedsSource: [{ pattern: /^(python3? -m )?pip3? install( --?[\w-]+)* (-e )?\.(\[[\w,]+\])?$/, advice: 'pip install . builds the project itself: install its dependencies from a requirements file first' }],
    outputs: [],
    cacheTarget: '/root/.cache/pip',
    readsMore: [{ file: '*', pattern: /^\s*(-e|--editable|-r|--requirement|-c|--constraint)\b|^\s*\.|^\s*file:/m, reason: 'the requirements file includes other files or installs a local path' }],
    reason: 'pip install -r reads the requirements files it names (and the ones they include)',
  },
  {
    id: 'poetry',
    name: 'Poetry',
    manifests: ['pyproject.toml'],
    locks: ['poetry.lock', 'poetry.toml'],
    install: [/^poetry install(?=.*--no-root)( --?[\w-]+(=\S+)?| --(only|with|without) \S+)*$/],
    installNeedsSource: [{ pattern: /^poetry install\b/, advice: 'poetry install also installs the project (it needs the source): add --no-root, then install the project after COPY' }],
    outputs: ['.venv'],
    cacheTarget: '/root/.cache/pypoetry',
    reason: 'poetry install --no-root reads pyproject.toml and poetry.lock only',
  },
  {
    id: 'uv',
    name: 'uv',
    manifests: ['pyproject.toml'],
    locks: ['uv.lock', '.python-version'],
    install: [/^uv sync(?=.*--no-install-project)( --?[\w-]+(=\S+)?)*$/],
    installNeedsSource: [{ pattern: /^uv sync\b/, advice: 'uv sync also installs the project (it needs the source): add --no-install-project, then sync again after COPY' }],
    outputs: ['.venv'],
    cacheTarget: '/root/.cache/uv',
    reason: 'uv sync --no-install-project reads pyproject.toml and uv.lock only',
  },
  {
    id: 'pipenv',
    name: 'Pipenv',
    manifests: ['Pipfile'],
    locks: ['Pipfile.lock'],
    install: [/^pipenv (install|sync)( --?[\w-]+(=\S+)?)*$/],
    outputs: ['.venv'],
    cacheTarget: '/root/.cache/pip',
    reason: 'pipenv install / sync read Pipfile and Pipfile.lock',
  },
  {
    id: 'go',
    name: 'Go modules',
    manifests: ['go.mod'],
    locks: ['go.sum', 'go.work', 'go.work.sum'],
    install: [/^go mod (download|verify)( -?-?[\w-]+)*$/],
    outputs: ['vendor'],
    cacheTarget: '/go/pkg/mod',
    readsMore: [{ file: 'go.mod', pattern: /^replace\s.*=>\s*\.{1,2}\//m, reason: 'go.mod replaces a module with a local directory: the download also reads it' }, { file: 'go.work', pattern: /./, reason: 'go.work names workspace modules: the download also reads their go.mod' }],
    reason: 'go mod download reads go.mod and go.sum',
  },
  {
    id: 'cargo',
    name: 'Cargo',
    manifests: ['Cargo.toml'],
    locks: ['Cargo.lock', 'rust-toolchain.toml', 'rust-toolchain'],
    install: [/^cargo fetch( --?[\w-]+(=\S+)?)*$/],
    installNeedsSource: [{ pattern: /^cargo (build|install)\b/, advice: 'cargo build compiles the source: run cargo fetch after copying Cargo.toml and Cargo.lock, then build' }],
    outputs: ['target'],
    cacheTarget: '/usr/local/cargo/registry',
    readsMore: [{ file: 'Cargo.toml', pattern: /^\[workspace\]|path\s*=/m, reason: 'Cargo.toml has a workspace or path dependencies: cargo also reads their manifests' }],
    reason: 'cargo fetch reads Cargo.toml and Cargo.lock (a workspace also needs its members\' Cargo.toml)',
  },
  {
    id: 'bundler',
    name: 'Bundler',
    manifests: ['Gemfile'],
    locks: ['Gemfile.lock', '.ruby-version'],
    install: [/^bundle( install)?( --?[\w-]+(=\S+)?| --(jobs|retry|without|with|deployment|path) \S+)*$/],
    outputs: ['vendor/bundle', '.bundle'],
    readsMore: [{ file: 'Gemfile', pattern: /^\s*gemspec\b|path:/m, reason: 'the Gemfile reads a gemspec or a local path' }],
    reason: 'bundle install reads Gemfile and Gemfile.lock (a Gemfile with `gemspec` also reads the gemspec)',
  },
  {
    id: 'maven',
    name: 'Maven',
    manifests: ['pom.xml'],
    locks: ['.mvn/maven.config', '.mvn/jvm.config', 'mvnw'],
    dirs: ['.mvn/wrapper'],
    install: [/^(mvn|\.\/mvnw)( -[\w.-]+(=\S+)?)* dependency:(go-offline|resolve|resolve-plugins)( -[\w.-]+(=\S+)?)*$/],
    outputs: ['target'],
    cacheTarget: '/root/.m2',
    readsMore: [{ file: 'pom.xml', pattern: /<modules>/, reason: 'pom.xml lists modules: Maven also reads their pom.xml' }],
    reason: 'mvn dependency:go-offline reads pom.xml (a multi-module build also needs the modules\' pom.xml)',
  },
  {
    id: 'gradle',
    name: 'Gradle',
    manifests: ['build.gradle', 'build.gradle.kts'],
    locks: ['settings.gradle', 'settings.gradle.kts', 'gradle.properties', 'gradlew', 'gradle.lockfile'],
    dirs: ['gradle'],
    install: [/^(gradle|\.\/gradlew)( --?[\w.-]+(=\S+)?)* (dependencies|downloadDependencies|resolveDependencies)( --?[\w.-]+(=\S+)?)*$/],
    outputs: ['build', '.gradle'],
    cacheTarget: '/root/.gradle',
    readsMore: [{ file: 'settings.gradle', pattern: /^\s*include/m, reason: 'settings.gradle includes subprojects: Gradle also reads their build scripts' }, { file: 'settings.gradle.kts', pattern: /^\s*include/m, reason: 'settings.gradle.kts includes subprojects: Gradle also reads their build scripts' }, { file: 'build.gradle', pattern: /^/, reason: 'Gradle build scripts often read more of the project (buildSrc, included builds): review' }, { file: 'build.gradle.kts', pattern: /^/, reason: 'Gradle build scripts often read more of the project (buildSrc, included builds): review' }],
    reason: 'gradle dependencies reads the build scripts, settings and the wrapper',
  },
  {
    id: 'composer',
    name: 'Composer',
    manifests: ['composer.json'],
    locks: ['composer.lock', 'auth.json'],
    install: [/^composer install(?=.*--no-scripts)( --?[\w-]+(=\S+)?)*$/],
    installNeedsSource: [{ pattern: /^composer install\b/, advice: 'composer install runs the project\'s scripts and autoloader dump (they read the source): add --no-scripts --no-autoloader, then composer dump-autoload after COPY' }],
    outputs: ['vendor'],
    cacheTarget: '/root/.composer/cache',
    reason: 'composer install --no-scripts reads composer.json and composer.lock',
  },
];

/** A command segment recognised as a dependency install. */
export interface InstallMatch {
  tool: DependencyTool;
  /** True when the segment installs from the manifests alone; false when it also needs the source. */
  manifestsOnly: boolean;
  /** For `manifestsOnly: false`: what to do instead. */
  advice?: string;
  /** Files the segment names itself (pip's `-r requirements/prod.txt`). */
  named: string[];
}

/** Which tool installs in this shell command segment, if any. */
export function matchInstall(segment: string): InstallMatch | null {
  const text = segment.trim().replace(/\s+/g, ' ');
  for (const tool of DEPENDENCY_TOOLS) {
    if (tool.install.some((p) => p.test(text))) {
      const named: string[] = [];
      if (tool.id === 'pip') {
        for (const m of text.matchAll(/(?:^| )(?:-r|--requirement|-c|--constraint)[ =](\S+)/g)) named.push(m[1]!);
      }
      return { tool, manifestsOnly: true, named };
    }
  }
  for (const tool of DEPENDENCY_TOOLS) {
    for (const needs of tool.installNeedsSource ?? []) {
      if (needs.pattern.test(text)) return { tool, manifestsOnly: false, advice: needs.advice, named: [] };
    }
  }
  return null;
}
