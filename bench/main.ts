import { benchMatmul } from './matmul.js';
import { benchTraining } from './training.js';
import { benchChecker } from './checker.js';
import { benchGrading } from './grading.js';
import { benchStartup } from './startup.js';

const log = (s: string): void => console.log(s);
log(`gradproof bench — node ${process.version}, ${new Date().toISOString()}`);
log('');
benchStartup(log);
log('');
benchMatmul(log);
log('');
benchTraining(log);
log('');
benchChecker(log);
log('');
await benchGrading(log);
