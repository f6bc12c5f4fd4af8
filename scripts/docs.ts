/**
 * `npm run docs` (`docs:check` with --check): writes (checks) the documents
 * made from each task.json. The generator is testkit/docs.ts, which the docs
 * tests use too.
 */
import { main } from '../testkit/docs';

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(`docs: ${(err as Error).message}`);
  process.exitCode = 2;
}
