// Every page of the apps has an axe-core check (issue 14, item 6): the routes are read from the
// routers' sources and compared with the addresses that tests/e2e/*.test.mjs ran
// `expectAccessible` on (helpers.mjs writes one line per check to QINXUE_AXE_LOG). A route that
// is added without a test that checks it fails here. scripts/e2e.sh runs this after a full run
// of the e2e files only: a run of a few files checks a few pages. The name does not end in
// .test.mjs so that `node --test tests/e2e/` does not run it before the checks are written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BASE_URL = new URL(process.env.QINXUE_BASE_URL ?? 'http://127.0.0.1:8080').origin;
const PAYSIM_URL = new URL(process.env.PAYSIM_BASE_URL ?? 'http://127.0.0.1:8090').origin;

/** The Leptos routers: each file's `path!("…")` routes, under the router's base. The computer
 * room's kiosk (room.html) is checked by group-session.test.mjs, which seats people there. */
const ROUTERS = [
  { app: 'trainee', file: 'src/app.rs', base: '' },
  { app: 'admin', file: 'src/admin/mod.rs', base: '/admin' },
  { app: 'certificates', file: 'src/certificates_app.rs', base: '' },
  { app: 'room', file: 'src/room/mod.rs', base: '' },
];

function leptosRoutes({ app, file, base }) {
  const source = readFileSync(path.join(ROOT, file), 'utf8');
  const routes = [...source.matchAll(/<Route\s+path=path!\("([^"]*)"\)/g)].map((m) => ({
    app,
    origin: BASE_URL,
    // The admin router's "/" is /admin/ in the address bar.
    pattern: base + m[1],
  }));
  assert.ok(routes.length > 0, `no routes found in ${file}: has the router's syntax changed?`);
  return routes;
}

/** The simulator's HTML pages: the cashier's GET routes (the others answer JSON or redirect). */
function cashierRoutes() {
  const source = readFileSync(path.join(ROOT, 'paysim/src/routes/cashier.rs'), 'utf8');
  const routes = [...source.matchAll(/\.route\("([^"]+)",\s*get\(/g)].map((m) => ({
    app: 'paysim',
    origin: PAYSIM_URL,
    pattern: m[1].replace(/\{(\w+)\}/g, ':$1'),
  }));
  assert.ok(routes.length > 0, 'no GET route found in paysim/src/routes/cashier.rs');
  return routes;
}

/** Whether a path matches a route pattern (":name" stands for one segment); the trailing slash
 * of "/admin/" is the router's, so "/admin" and "/admin/" are one page. */
function matches(pattern, pathname) {
  const trim = (p) => (p.length > 1 ? p.replace(/\/$/, '') : p);
  const source = trim(pattern)
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`).test(trim(decodeURI(pathname)));
}

test('every route of the apps and the cashier page has an axe-core check in the e2e tests', () => {
  const log = process.env.QINXUE_AXE_LOG;
  assert.ok(log, 'QINXUE_AXE_LOG names the file of the checks (run through scripts/e2e.sh)');
  const checked = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => new URL(JSON.parse(line).url));
  const routes = [...ROUTERS.flatMap(leptosRoutes), ...cashierRoutes()];
  // Each address counts for one route, the one the router would pick: /admin/courses/new is
  // that page, not /admin/courses/:id, so the route with the fewest parameters wins.
  const params = (r) => r.pattern.split('/').filter((seg) => seg.startsWith(':')).length;
  const covered = new Set(
    checked.map((u) =>
      routes
        .filter((r) => r.origin === u.origin && matches(r.pattern, u.pathname))
        .sort((a, b) => params(a) - params(b))[0],
    ),
  );
  const unchecked = routes.filter((r) => !covered.has(r)).map((r) => `${r.app} ${r.pattern}`);
  assert.deepEqual(unchecked, [], 'routes no e2e test runs expectAccessible on');
});
