// Preloaded with `node --import ./load-log.mjs`: appends every module the process
// loads (ESM through a resolve hook, CommonJS through Module._load) to the file
// named by GRADPROOF_LOAD_LOG, one URL or path per line.
import { appendFileSync } from 'node:fs';
import { register, createRequire } from 'node:module';

const log = process.env.GRADPROOF_LOAD_LOG;
if (log) {
  register('./load-log-hooks.mjs', import.meta.url, { data: { log } });
  const Module = createRequire(import.meta.url)('node:module');
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    try {
      appendFileSync(log, `${Module._resolveFilename(request, parent, isMain)}\n`);
    } catch {
      appendFileSync(log, `${request}\n`);
    }
    return load.apply(this, arguments);
  };
}
