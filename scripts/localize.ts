/**
 * `npm run loc` (`loc:check` with --check): regenerates or checks the
 * localization files of each task. The logic is testkit/localize.ts, which the
 * localization tests use too.
 */
import { main } from '../testkit/localize';

main();
